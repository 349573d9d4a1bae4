"""Print a PostgreSQL URL for the tests, starting a server if none answers.

Order: $UCAUTH_TEST_DATABASE_URL; the machine's server on 127.0.0.1:5432; the machine's Debian
cluster, started with pg_ctlcluster; a throwaway cluster made with the Debian package's initdb.
Exits non-zero with a message when none of these works: the PostgreSQL tests must run, not skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

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


def run(*argv: str) -> None:
    subprocess.run(argv, check=True, stdout=sys.stderr, stderr=sys.stderr)


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
    bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bindirs:
        raise SystemExit("no PostgreSQL binaries: apt-get install postgresql")
    bindir = Path(bindirs[-1])
    as_user: list[str] = []
    if os.getuid() == 0:  # initdb refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
    if not (THROWAWAY_DIR / "PG_VERSION").exists():
        THROWAWAY_DIR.mkdir(mode=0o700, exist_ok=True)
        if as_user:
            shutil.chown(THROWAWAY_DIR, "postgres", "postgres")
        run(*as_user, str(bindir / "initdb"), "-D", str(THROWAWAY_DIR), "-U", "postgres",
            "--auth=trust", "-E", "UTF8")
    options = f"-p {THROWAWAY_PORT} -k {THROWAWAY_DIR} -c listen_addresses=127.0.0.1"
    run(*as_user, str(bindir / "pg_ctl"), "-D", str(THROWAWAY_DIR), "-o", options,
        "-l", str(THROWAWAY_DIR / "server.log"), "-w", "start")
    return f"postgresql+psycopg://postgres@127.0.0.1:{THROWAWAY_PORT}/postgres"


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
