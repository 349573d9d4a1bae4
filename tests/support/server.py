"""Server fixtures: settings, an injected clock, the app with a TestClient, a database session,
and a real ``ucauth server`` process (uvicorn) for tests that need real concurrency.

Every fixture here runs on the database of the ``database_url`` fixture, so a test that uses
them runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session

from ucauth.clock import FixedClock
from ucauth.db import make_engine
from ucauth.server.app import create_app
from ucauth.settings import ServerSettings
from ucauth.tokens.service import TokenConfig

ORIGIN = "https://ucauth.test"
TOKEN_KEY = "test-token-key-0123456789-abcdefghijklmnop"
BANGKOK = ZoneInfo("Asia/Bangkok")
START = datetime(2026, 11, 25, 10, 0, tzinfo=BANGKOK)


@pytest.fixture
def server_settings(database_url: str, tmp_path: Path) -> ServerSettings:
    """Settings for a server on the test's database, with a fixed key and origin."""
    return ServerSettings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        token_key=SecretStr(TOKEN_KEY),
        origin=ORIGIN,
        jobs_enabled=False,  # tests run jobs themselves, with the injected clock
    )


@pytest.fixture
def clock() -> FixedClock:
    """The app's clock: 2026-11-25 10:00 in Bangkok until a test moves it."""
    return FixedClock(START)


@pytest.fixture
def app(server_settings: ServerSettings, clock: FixedClock) -> FastAPI:
    return create_app(server_settings, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client of the app; requests come from 127.0.0.1 unless a test says otherwise."""
    with TestClient(app, client=("127.0.0.1", 50000)) as test_client:
        yield test_client


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on the test's database, for factories and for checking what was stored."""
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session
    engine.dispose()


@dataclass(frozen=True)
class LiveServer:
    """A running ``ucauth server``: its URL, the origin agents sign, its process and its log."""

    url: str
    origin: str
    process: subprocess.Popen[bytes] | None = field(default=None, compare=False, repr=False)
    log: Path | None = None


def free_port() -> int:
    """A TCP port nobody listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(
    database_url: str, data_dir: Path, port: int, log: Path, **extra_env: str
) -> subprocess.Popen[bytes]:
    """``ucauth server`` on ``port`` (its own address being its origin), once it answers; its
    scheduler of daily jobs is off unless ``extra_env`` turns it on."""
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "UCAUTH_DATABASE_URL": database_url,
        "UCAUTH_DATA_DIR": str(data_dir),
        "UCAUTH_TOKEN_KEY": TOKEN_KEY,
        "UCAUTH_ORIGIN": url,
        "UCAUTH_PORT": str(port),
        "UCAUTH_ACCESS_LOG": "false",
        "UCAUTH_JOBS_ENABLED": "false",
        **extra_env,
    }
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ucauth", "server"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"{url}/healthz", process, log)
    except BaseException:
        stop_process(process)
        raise
    return process


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_server(
    database_url: str,
    directory: Path,
    *,
    origin: str | None = None,
    port: int | None = None,
    log_name: str | None = None,
    env: Mapping[str, str] | None = None,
    **extra_env: str,
) -> Iterator[LiveServer]:
    """:func:`start_server` on ``port`` (default: a free one), logging to
    ``directory/log_name`` (default ``server-PORT.log``); its public origin is its own address
    unless ``origin`` is given (servers behind one load balancer share one); ``env`` and
    ``extra_env`` add environment variables. Stopped on exit."""
    extra_env = {**(env or {}), **extra_env}
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = directory / (log_name or f"server-{port}.log")
    if origin:
        extra_env["UCAUTH_ORIGIN"] = origin
    process = start_server(database_url, directory / "live-data", port, log, **extra_env)
    try:
        yield LiveServer(url, origin or url, process, log)
    finally:
        stop_process(process)


@pytest.fixture
def live_server_env() -> dict[str, str]:
    """Extra environment of ``live_server`` (a test module overrides this fixture)."""
    return {}


@pytest.fixture
def live_server(
    database_url: str, tmp_path: Path, live_server_env: dict[str, str]
) -> Iterator[LiveServer]:
    """``ucauth server`` as a subprocess (one uvicorn process) on a free port, its own address
    being its public origin (``UCAUTH_ORIGIN``)."""
    with running_server(
        database_url, tmp_path, log_name="server.log", env=live_server_env
    ) as server:
        yield server


@pytest.fixture
def live_servers(database_url: str, tmp_path: Path) -> Iterator[Callable[..., list[LiveServer]]]:
    """Start ``n`` ``ucauth server`` processes at once on the test's database, as behind one
    load balancer (one origin: the first one's address): ``live_servers(2, **settings)``. All
    are stopped after the test."""
    with ExitStack() as stack:

        def start(n: int, **extra_env: str) -> list[LiveServer]:
            ports = [free_port() for _ in range(n)]
            origin = f"http://127.0.0.1:{ports[0]}"
            contexts = [
                running_server(database_url, tmp_path, origin=origin, port=port, env=extra_env)
                for port in ports
            ]
            with ThreadPoolExecutor(n) as pool:  # all at once, as after a deployment
                started = [pool.submit(context.__enter__) for context in contexts]
            for context, future in zip(contexts, started, strict=True):
                if future.exception() is None:
                    stack.push(context.__exit__)
            return [future.result() for future in started]

        yield start


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until ``url`` answers 200; fail the test with the log if the process dies first."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args!r} exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"{process.args!r} did not come up:\n{log.read_text()}")


@pytest.fixture
def token_config() -> TokenConfig:
    """The token service's configuration matching ``server_settings``."""
    return TokenConfig(TOKEN_KEY.encode(), ORIGIN, BANGKOK)
