"""Audit log growth on PostgreSQL (``python -m bench.audit_growth``).

A country's front desks write about a million audit rows a day. This fills the (monthly
partitioned) audit table of a throwaway database with ``--rows`` rows (default 50,000,000:
fifty days at that rate, generated in SQL), and measures, on the near-empty table first and on
the full one after, in the same run:

- **inserts** as the server makes them: groups of 8 events per durable commit (what the
  group-commit writer sends under load), ``--commits`` of them; median and p99 per commit;
- **"who looked up this person"**: ``ucauth.audit.service.events_query`` by ``subject_cid``
  (the newest 100 lookups of a patient), for ``--queries`` patients who have the same three
  lookups in both measurements; median and p99.

Target: each median on the full table ≤ 1.5 × the same on the near-empty one. The database is
dropped afterwards. PostgreSQL comes from ``--postgres-url``, else as ``bench.support`` says.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, text

from bench.support import postgres_server_url, throwaway_database
from ucauth.audit.partitions import create_partition, month_start, next_month, partition_name
from ucauth.audit.service import Action, Event, events_query, record
from ucauth.db import make_engine
from ucauth.migrations import upgrade

TARGET = 1.5
GROUP = 8  # events per commit
PATIENTS = 60_000_000  # patients the fill's lookups are spread over
CHUNK = 5_000_000
FILL = """
    INSERT INTO {table} (id, at, action, outcome, reason, actor, subject_cid, agent_id,
                         unit_hcode, client_address, channel, wsid, details)
    SELECT nextval('audit_events_id_seq'), :start + g * :step * interval '1 microsecond',
           'rights_lookup', 'success', 'found',
           '3' || lpad(((g * 7919) % 200000)::text, 12, '0'),
           '1' || lpad(((g * 104729) % :patients)::text, 12, '0'),
           g % 20000, lpad((10000 + g % 12000)::text, 5, '0'), '10.0.0.1', 'soap',
           'WS' || lpad(g::text, 18, '0'), NULL
    FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g
"""
INDEXES = ("PRIMARY KEY (id, at)", "(at)", "(subject_cid, at)", "(actor, at)")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def seed(connection: Connection, patients: list[str], now: datetime) -> None:
    """Three lookups of each patient (1, 10 and 20 days ago)."""
    for days in (1, 10, 20):
        at = now - timedelta(days=days)
        create_partition(connection, month_start(at.date()))
        events = [
            Event(Action.RIGHTS_LOOKUP, actor=f"3{n:012d}", reason="found", subject_cid=patient)
            for n, patient in enumerate(patients)
        ]
        record(connection, at, *events)
    connection.commit()


def measure_inserts(connection: Connection, commits: int, at: datetime) -> tuple[float, float]:
    """Median and p99 milliseconds of a durable commit of ``GROUP`` lookup events."""
    rng, samples = random.Random(1), []
    for _ in range(commits):
        events = [
            Event(
                Action.RIGHTS_LOOKUP,
                actor=f"3{rng.randrange(200_000):012d}",
                reason="found",
                subject_cid=f"1{rng.randrange(PATIENTS):012d}",
                agent_id=rng.randrange(20_000),
                unit_hcode="10670",
                client_address="10.0.0.1",
                channel="soap",
                wsid=f"WS{rng.randrange(10**18):018d}",
            )
            for _ in range(GROUP)
        ]
        started = time.perf_counter()
        record(connection, at, *events)
        connection.commit()
        samples.append((time.perf_counter() - started) * 1000)
    return _percentiles(samples)


def measure_queries(connection: Connection, patients: list[str]) -> tuple[float, float]:
    """Median and p99 milliseconds of "who looked up this person" (newest 100)."""
    samples = []
    for patient in patients:
        query = events_query(subject_cid=patient, actions=[Action.RIGHTS_LOOKUP], limit=100)
        started = time.perf_counter()
        connection.execute(query).all()
        samples.append((time.perf_counter() - started) * 1000)
    connection.rollback()
    return _percentiles(samples)


def fill(connection: Connection, rows: int, end: datetime) -> float:
    """Add ``rows`` lookups spread evenly over the days before ``end`` (a million a day);
    seconds taken. Each month's partition is detached, filled without its indexes, indexed
    and attached again: building an index once is far faster than growing it row by row, and
    leaves the same tables and indexes (if anything, more compact ones)."""
    days = rows / 1_000_000
    start = end - timedelta(days=days)
    step = int(days * 86_400_000_000 / rows)  # microseconds between rows
    connection.execute(text("SET synchronous_commit = off"))
    connection.execute(text("SET maintenance_work_mem = '1GB'"))
    started = time.monotonic()
    month = month_start(start.date())
    while month <= end.date():
        low = max(start, datetime(month.year, month.month, 1, tzinfo=UTC))
        high = min(end, datetime.combine(next_month(month), datetime.min.time(), UTC))
        first = max(1, int((low - start) / timedelta(microseconds=step)) + 1)
        last = min(rows, int((high - start) / timedelta(microseconds=step)))
        if first <= last:
            _fill_month(connection, month, first, last, {"start": start, "step": step})
            print(f"  {month:%Y-%m}: rows {first:,}-{last:,}, {time.monotonic() - started:.0f} s")
        month = next_month(month)
    connection.execute(text("ANALYZE audit_events"))
    connection.commit()
    return time.monotonic() - started


def _fill_month(
    connection: Connection, month: date, first: int, last: int, params: dict[str, object]
) -> None:
    name = partition_name(month)
    create_partition(connection, month)  # months before the migration's first one
    connection.commit()
    bounds = f"FROM ('{month}') TO ('{next_month(month)}')"
    connection.execute(text(f"ALTER TABLE audit_events DETACH PARTITION {name}"))
    connection.execute(text(f"ALTER TABLE {name} DROP CONSTRAINT {name}_pkey"))
    for index in connection.execute(
        text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": name}
    ).scalars():
        connection.execute(text(f"DROP INDEX {index}"))
    connection.commit()
    for chunk in range(first, last + 1, CHUNK):
        bound = {"first": chunk, "last": min(chunk + CHUNK - 1, last), "patients": PATIENTS}
        connection.execute(text(FILL.format(table=name)), {**params, **bound})
        connection.commit()
    for index in INDEXES:
        if index.startswith("PRIMARY"):
            connection.execute(text(f"ALTER TABLE {name} ADD {index}"))
        else:
            connection.execute(text(f"CREATE INDEX ON {name} {index}"))
        connection.commit()
    connection.execute(
        text(f"ALTER TABLE audit_events ATTACH PARTITION {name} FOR VALUES {bounds}")
    )
    connection.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--postgres-url")
    args = parser.parse_args()
    now = datetime.now(UTC)
    if args.rows >= PATIENTS:
        parser.error(f"--rows must be below {PATIENTS:,}")
    # The fill's row g looks up patient (g * 104729) % PATIENTS, a bijection: patients of a g
    # beyond --rows are never in the fill. Each of them gets the same three lookups before
    # both measurements, so both return the same rows; only the table around them grows.
    drawn = random.Random(2).sample(range(args.rows + 1, PATIENTS), args.queries)
    patients = [f"1{(g * 104729) % PATIENTS:012d}" for g in drawn]
    with throwaway_database("postgres", postgres_server_url(args.postgres_url)) as url:
        upgrade(url)
        engine = make_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SET synchronous_commit = on"))
            seed(connection, patients, now)
            empty_insert = measure_inserts(connection, args.commits, now)
            empty_query = measure_queries(connection, patients)
            empty_warm = measure_queries(connection, patients)
            seconds = fill(connection, args.rows, now)
            connection.execute(text("SET synchronous_commit = on"))
            connection.commit()
            vacuum = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            vacuum.execute(text("VACUUM ANALYZE audit_events"))  # as autovacuum would have
            vacuum.close()
            count = connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
            size = connection.execute(
                text(
                    "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) "
                    "FROM pg_inherits WHERE inhparent = 'audit_events'::regclass"
                )
            ).scalar_one()
            full_insert = measure_inserts(connection, args.commits, now)
            full_query = measure_queries(connection, patients)
            full_warm = measure_queries(connection, patients)  # the same patients again
            query = events_query(subject_cid=patients[0], actions=[Action.RIGHTS_LOOKUP])
            compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
            plan = connection.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars()
            print("\n".join(plan))
            connection.rollback()
        engine.dispose()
    print(
        f"filled {args.rows:,} rows in {seconds:.0f} s ({args.rows / seconds:,.0f} rows/s); "
        f"table holds {count:,} rows, {size} with indexes"
    )
    print(f"| measure | near-empty p50 / p99 ms | {count:,} rows p50 / p99 ms | p50 ratio |")
    print("|---|---|---|---|")
    for name, empty, full in (
        (f"insert + commit of {GROUP} events", empty_insert, full_insert),
        ("who looked up this person (newest 100), first time", empty_query, full_query),
        ("the same patients again (their pages cached)", empty_warm, full_warm),
    ):
        ratio = full[0] / empty[0]
        mark = "✓" if ratio <= TARGET else "✗"
        print(
            f"| {name} | {empty[0]:.2f} / {empty[1]:.2f} | {full[0]:.2f} / {full[1]:.2f} "
            f"| **{ratio:.2f}** {mark} |"
        )


if __name__ == "__main__":
    main()
