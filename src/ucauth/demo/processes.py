"""The demo's server process: ``ucauth server`` on the demo's SQLite data, in its own session
(a Ctrl-C in the terminal reaches only the demo, which stops it in order)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx

from ucauth.card.virtual.pcscd import die_with_parent
from ucauth.errors import UcauthError

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class DemoProcessError(UcauthError):
    """A process of the demo did not start, or stopped by itself."""

    code = "demo_process"
    message_key = "demo.process_failed"


def port_or_free(port: int) -> int:
    """``port`` when it can be bound on loopback (0 picks any free port), else a free one."""
    for candidate in (port, 0) if port else (0,):
        with socket.socket() as probe:
            try:
                probe.bind((LOOPBACK, candidate))
            except OSError:
                continue
            chosen: int = probe.getsockname()[1]
            return chosen
    raise DemoProcessError(name="port", detail="no free port on 127.0.0.1")


class ServerProcess:
    """``ucauth server`` on ``port`` with the data in ``data_dir``; its log in ``log``."""

    def __init__(self, data_dir: Path, port: int, log: Path) -> None:
        self.data_dir = data_dir
        self.port = port
        self.url = f"http://{LOOPBACK}:{port}"
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("UCAUTH_")}
        env |= {
            "UCAUTH_DATA_DIR": str(self.data_dir),
            "UCAUTH_DATABASE_URL": f"sqlite:///{self.data_dir / 'ucauth.db'}",
            "UCAUTH_HOST": LOOPBACK,
            "UCAUTH_PORT": str(self.port),
            "UCAUTH_LANG": os.environ.get("UCAUTH_LANG", ""),
        }
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "ucauth", "server"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent if os.name == "posix" else None,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def failure(self) -> DemoProcessError:
        return DemoProcessError(name="ucauth server", detail=self.log_tail())

    def log_tail(self, lines: int = 8) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not self.alive():
                raise self.failure()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise self.failure()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
