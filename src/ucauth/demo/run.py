"""``ucauth demo``: seed (first run only), then the server, the virtual card and the agent,
until Ctrl-C or SIGTERM stops them all in reverse order."""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.profile import CardProfile, load_named_profile
from ucauth.db import make_engine
from ucauth.demo.agent import AgentThread, enrolled
from ucauth.demo.card import CardStack, virtual_card
from ucauth.demo.examples import ready_text
from ucauth.demo.processes import DemoProcessError, ServerProcess, port_or_free
from ucauth.demo.seed import (
    CLERK_PROFILE,
    DemoPeople,
    Progress,
    beneficiary_count,
    reactivate,
    seed,
)
from ucauth.i18n import translate
from ucauth.migrations import upgrade

STATE_FILE = "demo.json"
READY_FILE = "demo-ready.json"
DEFAULT_PERSONS = 100_000
DEFAULT_PORT = 8000
DEFAULT_AGENT_PORT = 8189
WATCH_INTERVAL = 0.5
EXAMPLE_PAGE_ORIGINS = "http://127.0.0.1:8190,http://localhost:8190"
"""The HIS example page's origins (examples/web), allowed to call the demo agent."""

Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoOptions:
    data_dir: Path
    persons: int = DEFAULT_PERSONS
    port: int = DEFAULT_PORT
    agent_port: int = DEFAULT_AGENT_PORT
    card: str = CLERK_PROFILE
    lang: str = "th"


@dataclass(frozen=True)
class Running:
    """What the demo has started, as printed and as written to ``demo-ready.json``."""

    server_url: str
    agent_url: str
    card: CardStack
    people: DemoPeople
    profile: CardProfile
    server_pid: int | None
    token_file: Path | None

    def to_json(self) -> dict[str, object]:
        return {
            "server_url": self.server_url,
            "agent_url": self.agent_url,
            "transport": str(self.card.transport),
            "reader": self.card.reader,
            "card_cid": self.profile.cid,
            "pin": self.profile.pin,
            "people": self.people.to_json(),
            "server_pid": self.server_pid,
            "token_file": str(self.token_file) if self.token_file else None,
        }


def prepare(options: DemoOptions, progress: Progress, say: Say) -> DemoPeople:
    """The demo's database, migrated and seeded; seeding only when it has not been done."""
    options.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    url = _database_url(options)
    upgrade(url)
    state_path = options.data_dir / STATE_FILE
    engine = make_engine(url)
    try:
        state = _read_json(state_path)
        people = state.get("people")
        same = state.get("persons") == options.persons
        if isinstance(people, dict) and same and beneficiary_count(engine) > 0:
            say(translate("demo.reusing", options.lang, path=options.data_dir))
            reused = DemoPeople(**people)
            reactivate(engine, reused)
            return reused
        say(translate("demo.seeding", options.lang, persons=options.persons))
        people = seed(engine, options.data_dir, options.persons, progress)
    finally:
        engine.dispose()
    state = {"persons": options.persons, "people": people.to_json()}
    state_path.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    return people


def run(options: DemoOptions, progress: Progress, say: Say, show: Say) -> None:
    """Run the demo until Ctrl-C or SIGTERM; ``say`` reports steps, ``show`` the ready text."""
    stopper = _Stopper()
    with _signals_to(stopper), contextlib.ExitStack() as stack:
        people = prepare(options, progress, say)
        server_port = _port(options.port, options.lang, say)
        server = ServerProcess(options.data_dir, server_port, options.data_dir / "server.log")
        stack.enter_context(server)
        say(translate("demo.server_started", options.lang, url=server.url, pid=server.pid))
        agent_dir = options.data_dir / "agent"
        engine = make_engine(_database_url(options))
        try:
            enrolled(agent_dir, engine, server.url)
        finally:
            engine.dispose()
        profile = load_named_profile(options.card)
        card = stack.enter_context(virtual_card(VirtualThaiIdCard(profile), options.lang))
        say(card.message)
        agent_port = _port(options.agent_port, options.lang, say)
        agent = stack.enter_context(AgentThread(agent_dir, agent_port, card, EXAMPLE_PAGE_ORIGINS))
        say(translate("demo.agent_started", options.lang, url=agent.url))
        token_file = agent.settings.token_path
        running = Running(server.url, agent.url, card, people, profile, server.pid, token_file)
        show(ready_text(running.to_json(), options.lang))
        ready = options.data_dir / READY_FILE
        ready.write_text(json.dumps(running.to_json(), indent=2) + "\n", encoding="utf-8")
        stack.callback(ready.unlink, missing_ok=True)
        while not stopper.wait(WATCH_INTERVAL):
            if not server.alive():
                raise server.failure()
            if not agent.alive():
                raise DemoProcessError(name="ucauth agent", detail="stopped")
        say(translate("demo.stopping", options.lang))


def _port(wanted: int, lang: str, say: Say) -> int:
    """``wanted``, or a free port when it is taken (said) or 0."""
    port = port_or_free(wanted)
    if wanted and port != wanted:
        say(translate("demo.port_taken", lang, port=wanted, free=port))
    return port


class _Stopper:
    """SIGINT and SIGTERM: a KeyboardInterrupt while starting (exit 130), a clean stop once
    everything runs."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.running = False

    def handle(self, _signum: int, _frame: FrameType | None) -> None:
        if not self.running:
            raise KeyboardInterrupt
        self.requested.set()

    def wait(self, timeout: float) -> bool:
        self.running = True
        return self.requested.wait(timeout)


@contextlib.contextmanager
def _signals_to(stopper: _Stopper) -> Iterator[None]:
    previous = {s: signal.signal(s, stopper.handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _database_url(options: DemoOptions) -> str:
    return f"sqlite:///{options.data_dir / 'ucauth.db'}"


def _read_json(path: Path) -> dict[str, object]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
