"""A private, throwaway PostgreSQL cluster made from the Debian package's binaries (initdb,
pg_ctl), on its own port and socket directory: for tests that stop and restart the database,
which must never touch the machine's server. ``scripts/ensure_postgres.py`` makes the test
suite's fallback server with it too.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

# pg_ctl waits this long for a start or stop: a fast shutdown under a storm of connection
# attempts on a loaded machine took 60 s once (pg_ctl's default wait), failing the stop.
WAIT_SECONDS = 180


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not found:
        raise RuntimeError("no PostgreSQL binaries: apt-get install postgresql")
    return Path(found[-1])


def _as_postgres() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


@dataclass(frozen=True)
class Cluster:
    """A cluster in ``directory`` (data and Unix socket) listening on 127.0.0.1:``port``."""

    directory: Path
    port: int

    @property
    def url(self) -> str:
        """The URL of its ``postgres`` database (trust authentication, user postgres)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        command = [*_as_postgres(), str(_binaries() / "pg_ctl"), "-D", str(self.directory), *args]
        subprocess.run(command, check=True, stdout=sys.stderr, stderr=sys.stderr)

    def init(self) -> None:
        """Create the cluster unless it exists (owned by ``postgres`` when run as root)."""
        if (self.directory / "PG_VERSION").exists():
            return
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.getuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        initdb = [*_as_postgres(), str(_binaries() / "initdb"), "-D", str(self.directory)]
        subprocess.run(
            [*initdb, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True,
            stdout=sys.stderr,
            stderr=sys.stderr,
        )

    def start(self) -> None:
        """Start it and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        log = str(self.directory / "server.log")
        self._pg_ctl("-o", options, "-l", log, "-w", "-t", str(WAIT_SECONDS), "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop it: ``fast`` (disconnects clients, clean shutdown) or ``immediate`` (a crash:
        no shutdown checkpoint, recovery at the next start)."""
        self._pg_ctl("-m", mode, "-w", "-t", str(WAIT_SECONDS), "stop")

    def running(self) -> bool:
        try:
            with psycopg.connect(self.url.replace("+psycopg", ""), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def remove(self) -> None:
        """Stop it if it runs and delete its directory."""
        if (self.directory / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def private_postgres() -> Iterator[Cluster]:
    """A running private cluster of the test's own, which it may stop, crash and restart;
    removed afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="ucauth-pgfault-")), port)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()
