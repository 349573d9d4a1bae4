"""Import throughput of the beneficiary registry (``python -m bench.rights_import``).

Generates 1,000,000 synthetic beneficiaries, imports them into a fresh PostgreSQL database and
a fresh SQLite file, imports the same file again (every row already there: the upsert path),
and seeds a demo (generate and import 100,000 into SQLite). Targets: at least 100,000 rows/s
into PostgreSQL and 50,000 rows/s into SQLite for the first import, the demo seed within 30 s.
PostgreSQL comes from ``--postgres-url``, else as ``bench.support`` says.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.support import postgres_server_url, throwaway_database
from ucauth.db import make_engine
from ucauth.migrations import upgrade
from ucauth.rights.generator import write_csv
from ucauth.rights.importer import import_beneficiaries

POSTGRES_TARGET = 100_000  # rows/s
SQLITE_TARGET = 50_000  # rows/s
DEMO_TARGET = 30.0  # seconds for generate + import of the demo's beneficiaries


@contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A new database on the server, migrated to head, dropped afterwards."""
    with throwaway_database("postgres", server_url) as url:
        upgrade(url)
        yield url


def fresh_sqlite(folder: Path) -> str:
    path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    return url


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def import_seconds(url: str, source: Path) -> float:
    engine = make_engine(url)
    try:
        rejects = source.with_suffix(".rejects.csv")
        return timed(lambda: import_beneficiaries(engine, source, reject_file=rejects))
    finally:
        engine.dispose()


def report(label: str, seconds: float, rows: int, target: int | None) -> None:
    rate = rows / seconds
    line = f"  {label:<30} {seconds:7.2f} s {rate:>11,.0f} rows/s"
    if target:
        line += f"   target {target:>7,} rows/s   ratio {rate / target:5.2f}"
    print(line)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--demo-rows", type=int, default=100_000)
    parser.add_argument("--postgres-url")
    args = parser.parse_args(argv)
    server = postgres_server_url(args.postgres_url)

    with tempfile.TemporaryDirectory(prefix="ucauth-bench-") as tmp:
        folder = Path(tmp)
        source = folder / "beneficiaries.csv"
        generated = timed(lambda: write_csv(source, args.rows, seed=1))
        size = source.stat().st_size / 1e6
        print(f"rights import: {args.rows:,} rows, {size:,.0f} MB, generated in {generated:.2f} s")

        with fresh_postgres(server) as url:
            report(
                "PostgreSQL, first import", import_seconds(url, source), args.rows, POSTGRES_TARGET
            )
            report("PostgreSQL, import again", import_seconds(url, source), args.rows, None)
        url = fresh_sqlite(folder)
        report("SQLite, first import", import_seconds(url, source), args.rows, SQLITE_TARGET)
        report("SQLite, import again", import_seconds(url, source), args.rows, None)

        demo = folder / "demo.csv"
        demo_url = fresh_sqlite(folder)
        seconds = timed(lambda: write_csv(demo, args.demo_rows, seed=2))
        seconds += import_seconds(demo_url, demo)
        print(
            f"  demo seed, {args.demo_rows:,} (generate + import into SQLite) {seconds:7.2f} s"
            f"   target {DEMO_TARGET:.0f} s   ratio {DEMO_TARGET / seconds:5.2f}"
        )


if __name__ == "__main__":
    main()
