"""Wall time of ``revoke-inactive`` (``python -m bench.revoke_inactive``).

Seeds 200,000 active accounts, 20% of them idle for more than 180 days (a quarter of those with
a live token), into a fresh PostgreSQL database and a fresh SQLite file, then times one
scheduled run (batches of 1,000, each revoking, deleting tokens and auditing) and a second run
of the same slot (nothing to do). Target: the run under 5 s. PostgreSQL comes from
``--postgres-url``, else as ``bench.support`` says.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bench.support import throwaway_database
from ucauth.accounts.models import Unit, User
from ucauth.cid import complete_cid
from ucauth.clock import FixedClock
from ucauth.db import make_engine
from ucauth.jobs import revoke
from ucauth.jobs.service import JobRunner
from ucauth.migrations import upgrade
from ucauth.tokens.models import Token

TARGET = 5.0  # seconds
BANGKOK = ZoneInfo("Asia/Bangkok")
SLOT = datetime(2026, 11, 25, 12, 30, tzinfo=BANGKOK)
CHUNK = 10_000


def seed(url: str, accounts: int, due_share: float) -> int:
    """``accounts`` active users, every ``1 / due_share``-th idle for 200 days; how many due."""
    upgrade(url)
    engine = make_engine(url)
    every = round(1 / due_share)
    created = SLOT - timedelta(days=400)
    with engine.begin() as connection:
        connection.execute(
            insert(Unit).values(
                hcode="10670", name="bench", province_code="1000", region_number=13,
                created_at=created,
            )
        )  # fmt: skip
        for start in range(0, accounts, CHUNK):
            rows = [
                {
                    "id": n + 1,
                    "cid": complete_cid(f"3{n:011d}"),
                    "first_name": "ทดสอบ",
                    "last_name": f"บัญชี{n}",
                    "unit_hcode": "10670",
                    "role": "staff",
                    "status": "active",
                    "created_at": created,
                    "activated_at": created,
                    "last_access_at": SLOT - timedelta(days=200 if n % every == 0 else 10),
                }
                for n in range(start, min(start + CHUNK, accounts))
            ]
            connection.execute(insert(User), rows)
        tokens = [
            {
                "user_id": n + 1,
                "token_hmac": n.to_bytes(32, "big"),
                "issued_at": SLOT,
                "expires_at": SLOT + timedelta(hours=11),
            }
            for n in range(0, accounts, every * 4)
        ]
        connection.execute(insert(Token), tokens)
    engine.dispose()
    return len(range(0, accounts, every))


def measure(backend: str, url: str, accounts: int, due_share: float) -> None:
    started = time.perf_counter()
    due = seed(url, accounts, due_share)
    seeded = time.perf_counter() - started
    runner = JobRunner(url, clock=FixedClock(SLOT + timedelta(seconds=1)), zone=BANGKOK)
    try:
        started = time.perf_counter()
        run = runner.run_due(revoke.NAME)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = runner.run_due(revoke.NAME)
        again_seconds = time.perf_counter() - started
    finally:
        runner.close()
    if run is None or run.counts is None or run.counts["revoked"] != due or again is not None:
        raise SystemExit(f"{backend}: unexpected result {run and run.counts}, {again}")
    print(
        f"  {backend:<10} {accounts:,} accounts (seeded in {seeded:.1f} s), {due:,} revoked, "
        f"{run.counts['tokens']:,} tokens: {seconds:6.2f} s   target {TARGET:.0f} s   "
        f"ratio {TARGET / seconds:5.2f};   same slot again {again_seconds * 1000:.0f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--due-share", type=float, default=0.2)
    parser.add_argument("--postgres-url")
    args = parser.parse_args(argv)
    print(f"revoke-inactive at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    for backend in ("postgres", "sqlite"):
        with throwaway_database(backend, args.postgres_url) as url:
            measure(backend, url, args.accounts, args.due_share)


if __name__ == "__main__":
    main()
