"""Print a PostgreSQL URL for the tests, starting a server if none answers.

Order: $UCAUTH_TEST_DATABASE_URL; the machine's server on 127.0.0.1:5432; the machine's Debian
cluster, started with pg_ctlcluster; a throwaway cluster made with the Debian package's initdb.
Exits non-zero with a message when none of these works: the PostgreSQL tests must run, not skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.pgcluster import Cluster  # the repository root is on the path now

MACHINE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
THROWAWAY_PORT = 55432
THROWAWAY_DIR = Path("/tmp") / f"ucauth-pgtest-{os.getuid()}"


def answers(url: str, attempts: int = 1) -> bool:
    """True when a connection to the URL succeeds within the given attempts."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    for attempt in range(attempts):
        try:
            with psycopg.connect(dsn, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            if attempt + 1 < attempts:
                time.sleep(0.5)
    return False


def start_machine_cluster() -> None:
    if not shutil.which("pg_ctlcluster") or not os.path.isdir("/etc/postgresql"):
        return
    for version in sorted(os.listdir("/etc/postgresql")):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            stdout=sys.stderr,
            stderr=sys.stderr,
            check=False,
        )


def start_throwaway_cluster() -> str:
    cluster = Cluster(THROWAWAY_DIR, THROWAWAY_PORT)
    cluster.init()
    cluster.start()
    return cluster.url


def main() -> None:
    given = os.environ.get("UCAUTH_TEST_DATABASE_URL")
    if given:
        if not answers(given, attempts=10):
            raise SystemExit(f"UCAUTH_TEST_DATABASE_URL does not answer: {given}")
        print(given)
        return
    if answers(MACHINE_URL):
        print(MACHINE_URL)
        return
    start_machine_cluster()
    if answers(MACHINE_URL, attempts=10):
        print(MACHINE_URL)
        return
    url = start_throwaway_cluster()
    if not answers(url, attempts=20):
        raise SystemExit(f"the throwaway PostgreSQL does not answer: {url}")
    print(url)


if __name__ == "__main__":
    main()
