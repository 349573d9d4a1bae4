"""pytest plugin: the workstation agent, in process and as a live ``ucauth agent run``.

In process (no pcscd), against the in-process server app of ``tests.support.server``:

- ``virtual_readers``: :class:`VirtualReaders`, in-process card readers (reader
  :data:`READER`) driven by the real :class:`~ucauth.card.events.CardMonitor`; ``insert(card)``,
  ``remove()``, ``unplug()`` / ``plug()``, ``stop_service()`` / ``start_service()``.
- ``agent_settings``: settings with a temporary data directory, port :data:`AGENT_PORT`.
- ``agent_server``: the server app's TestClient at its origin; the card holder of the
  ``normal`` profile (:data:`CLERK_CID`) is an active user of unit 10670.
- ``agent_service``: an enrolled :class:`~ucauth.agent.service.AgentService` on those readers
  and that server, on the test's ``clock``; not started (``agent_client`` starts it).
- ``agent_app`` / ``agent_client``: the agent's app and a started TestClient at
  ``http://127.0.0.1:8189`` (the agent's own origin is :data:`PAGE_ORIGIN`).
- ``wait_for(predicate)``: polls until true (the service's threads update the state); the
  helpers ``status_steps(client)``, ``wait_for_step(client, step, *codes)`` and
  ``page_login(client, pin)`` (a login as the agent's own page sends it) work on both.

Live (pcscd + vpcd, a real server process; cards attached with ``attach_card``):

- ``live_agent``: ``ucauth agent run`` as a subprocess, enrolled with ``live_server`` through
  ``ucauth agent enroll``; the ``normal`` card's holder is an active user. Its ``url`` is the
  page's origin; ``env`` runs further ``ucauth agent`` commands on the same data directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.factories import add_unit, add_user
from tests.support.server import ORIGIN, LiveServer, free_port, stop_process, wait_until_up
from ucauth.accounts import service as accounts
from ucauth.agent import login as protocol_steps
from ucauth.agent.app import create_agent_app
from ucauth.agent.server import ServerClient
from ucauth.agent.service import AgentService
from ucauth.agent.settings import AgentSettings
from ucauth.agent.store import save_enrolment
from ucauth.card.errors import NoCardError, PcscUnavailableError, ReaderNotFoundError
from ucauth.card.events import CardMonitor, ReaderState
from ucauth.card.transport import CardConnection
from ucauth.card.virtual.inprocess import InProcessConnection
from ucauth.card.virtual.profile import load_named_profile
from ucauth.card.virtual.vpcd import VirtualCard
from ucauth.clock import FixedClock
from ucauth.randomness import SeededRandom

READER = "ucauth In-process Reader 00"
AGENT_PORT = 8189
PAGE_ORIGIN = f"http://127.0.0.1:{AGENT_PORT}"
CLERK_CID = load_named_profile("normal").cid
CLERK_PIN = load_named_profile("normal").pin
POLL = 0.02
WAIT_TIMEOUT = 30.0  # generous: the test machine may be loaded


class VirtualReaders:
    """In-process readers holding virtual cards: the PC/SC status source of a real
    :class:`CardMonitor` (``open_context``) and the agent's ``connect``."""

    def __init__(self, *readers: str) -> None:
        self._cards: dict[str, VirtualCard | None] = dict.fromkeys(readers or (READER,))
        self._changed = threading.Condition()
        self._service = True

    # what tests do
    def insert(self, card: VirtualCard, reader: str = READER) -> None:
        self._change(lambda: self._cards.__setitem__(reader, card))

    def remove(self, reader: str = READER) -> None:
        self._change(lambda: self._cards.__setitem__(reader, None))

    def unplug(self, reader: str = READER) -> None:
        self._change(lambda: self._cards.pop(reader, None))

    def plug(self, reader: str = READER) -> None:
        self._change(lambda: self._cards.setdefault(reader, None))

    def stop_service(self) -> None:
        self._change(lambda: setattr(self, "_service", False))

    def start_service(self) -> None:
        self._change(lambda: setattr(self, "_service", True))

    def _change(self, action: Callable[[], object]) -> None:
        with self._changed:
            action()
            self._changed.notify_all()

    # what the agent uses
    def monitor(self) -> CardMonitor:
        return CardMonitor(self.open_context, poll_interval=0.05, retry_interval=0.05)

    def open_context(self) -> _Context:
        with self._changed:
            if not self._service:
                raise PcscUnavailableError()
        return _Context(self)

    def connect(self, reader: str | None) -> CardConnection:
        with self._changed:
            if not self._service:
                raise PcscUnavailableError()
            if reader is not None and reader not in self._cards:
                raise ReaderNotFoundError(reader)
            names = [reader] if reader is not None else list(self._cards)
            cards = [card for name in names if (card := self._cards[name]) is not None]
        if not cards:
            raise NoCardError()
        return InProcessConnection(cards[0])

    def states(self) -> dict[str, ReaderState]:
        with self._changed:
            if not self._service:
                raise PcscUnavailableError()
            return {
                name: ReaderState(name, card is not None, card.atr if card is not None else b"")
                for name, card in self._cards.items()
            }

    def wake(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def wait(self, timeout: float) -> None:
        with self._changed:
            self._changed.wait(timeout)


class _Context:
    def __init__(self, readers: VirtualReaders) -> None:
        self._readers = readers
        self._cancelled = False

    def status_change(
        self, known: Mapping[str, ReaderState], timeout: float
    ) -> dict[str, ReaderState]:
        states = self._readers.states()
        if _same(states, known) and not self._cancelled:
            self._readers.wait(timeout)
            states = self._readers.states()
        return states

    def cancel(self) -> None:
        self._cancelled = True
        self._readers.wake()

    def close(self) -> None:
        pass


def _same(a: Mapping[str, ReaderState], b: Mapping[str, ReaderState]) -> bool:
    return a.keys() == b.keys() and all(
        (a[k].present, a[k].atr) == (b[k].present, b[k].atr) for k in a
    )


def status_steps(client: httpx.Client, lang: str = "en") -> dict[str, dict[str, Any]]:
    """The steps of ``GET /api/status`` by id."""
    body = client.get("/api/status", params={"lang": lang}).json()
    return {step["id"]: step for step in body["steps"]}


def page_login(client: httpx.Client, pin: str = CLERK_PIN) -> httpx.Response:
    """``POST /api/login`` as the agent's own page sends it."""
    origin = str(client.base_url).rstrip("/")
    return client.post("/api/login", json={"pin": pin}, headers={"Origin": origin})


def wait_for_step(
    client: httpx.Client, step: str, *codes: str, timeout: float = WAIT_TIMEOUT
) -> None:
    """Wait until the step's code is one of ``codes``."""
    wait_until(lambda: status_steps(client)[step]["code"] in codes, timeout)


def wait_until(predicate: Callable[[], bool], timeout: float = WAIT_TIMEOUT) -> None:
    """Poll ``predicate`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not reached in {timeout} s")
        time.sleep(POLL)


@pytest.fixture
def wait_for() -> Callable[..., None]:
    return wait_until


@pytest.fixture
def virtual_readers() -> VirtualReaders:
    return VirtualReaders()


@pytest.fixture
def agent_settings(tmp_path: Path) -> AgentSettings:
    return AgentSettings(data_dir=tmp_path / "agent", port=AGENT_PORT, check_interval=0.2)


@pytest.fixture
def agent_server(app: FastAPI, session: Session) -> Iterator[TestClient]:
    """The in-process server at its origin, with the clerk of the ``normal`` card."""
    add_unit(session)
    add_user(session, CLERK_CID)
    with TestClient(app, base_url=ORIGIN, client=("127.0.0.1", 50000)) as client:
        yield client


def enrol(session: Session, server: ServerClient, data_dir: Path, now: datetime) -> None:
    """Enrol a workstation through the server's endpoint and save it in ``data_dir``."""
    issued = accounts.issue_enrolment_code(
        session, unit_hcode="10670", actor="cli:test", now=now, random=SeededRandom(7)
    )
    save_enrolment(data_dir, protocol_steps.enroll(server, issued.code, "ws-test"))


@pytest.fixture
def agent_service(
    agent_settings: AgentSettings,
    agent_server: TestClient,
    virtual_readers: VirtualReaders,
    session: Session,
    clock: FixedClock,
) -> AgentService:
    enrol(session, ServerClient(ORIGIN, http=agent_server), agent_settings.data_dir, clock.now())
    return AgentService(
        agent_settings,
        clock=clock,
        connect=virtual_readers.connect,
        monitor=virtual_readers.monitor(),
        http=agent_server,
    )


@pytest.fixture
def agent_app(agent_service: AgentService) -> FastAPI:
    return create_agent_app(agent_service)


@pytest.fixture
def agent_client(agent_app: FastAPI) -> Iterator[TestClient]:
    """The agent's API from loopback, without an ``Origin`` (a native program)."""
    with TestClient(agent_app, base_url=PAGE_ORIGIN, client=("127.0.0.1", 50001)) as client:
        yield client


@dataclass(frozen=True)
class LiveAgent:
    url: str
    port: int
    data_dir: Path
    env: dict[str, str]
    server: LiveServer
    log: Path

    def ucauth(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run ``ucauth ARGS`` with this agent's settings."""
        return run_ucauth(self.env, *args, stdin=stdin)


def run_ucauth(
    env: dict[str, str], *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``ucauth ARGS`` as a subprocess with ``env``; its exit code, stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "ucauth", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def agent_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "UCAUTH_AGENT_DATA_DIR": str(data_dir),
        "UCAUTH_AGENT_PORT": str(port),
        "UCAUTH_LANG": "en",
        **extra,
    }


def enrol_live(live_server: LiveServer, session: Session, env: dict[str, str]) -> None:
    """Register the clerk and enrol with ``ucauth agent enroll``."""
    add_unit(session)
    add_user(session, CLERK_CID)
    issued = accounts.issue_enrolment_code(
        session,
        unit_hcode="10670",
        actor="cli:test",
        now=datetime.now(UTC),
        random=SeededRandom(11),
    )
    enrolled = run_ucauth(
        env, "agent", "enroll", "--server", live_server.url, "--code", issued.code
    )
    assert enrolled.returncode == 0, enrolled.stderr


def start_agent(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """``ucauth agent run`` with ``env`` on ``port``, once its API answers."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ucauth", "agent", "run", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", process, log)
    except BaseException:
        stop_process(process)
        raise
    return process


@pytest.fixture
def live_agent(
    live_server: LiveServer, session: Session, pcscd: object, tmp_path: Path
) -> Iterator[LiveAgent]:
    port = free_port()
    data_dir = tmp_path / "live-agent"
    env = agent_env(data_dir, port)
    enrol_live(live_server, session, env)
    log = tmp_path / "agent.log"
    process = start_agent(env, port, log)
    try:
        yield LiveAgent(f"http://127.0.0.1:{port}", port, data_dir, env, live_server, log)
    finally:
        stop_process(process)
