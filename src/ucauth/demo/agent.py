"""The demo's workstation agent: enrolled once (a code issued in the database, the real
enrolment over HTTP), then served in a thread of the demo process on the demo's card."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ucauth.accounts import service as accounts
from ucauth.accounts.models import Agent
from ucauth.agent import login as protocol_steps
from ucauth.agent.app import create_agent_app
from ucauth.agent.errors import AgentDataError, NotEnrolledError
from ucauth.agent.server import ServerClient
from ucauth.agent.service import AgentService
from ucauth.agent.settings import LOOPBACK, AgentSettings
from ucauth.agent.store import Enrolment, load_enrolment, save_enrolment
from ucauth.demo.card import CardStack
from ucauth.demo.processes import DemoProcessError
from ucauth.demo.seed import ACTOR, CLERK_UNIT
from ucauth.randomness import SecureRandom
from ucauth.tokens.protocol import normalize_origin, public_key_bytes

NAME = "ucauth-demo"
TOKEN_FILE = "nhso_token.txt"  # noqa: S105 - a file name
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def enrolled(agent_dir: Path, engine: Engine, server_url: str) -> Enrolment:
    """The demo agent's enrolment: kept from an earlier run (pointed at this run's server),
    or made now with a code issued straight in the database."""
    try:
        enrolment = load_enrolment(agent_dir)
    except (NotEnrolledError, AgentDataError):
        enrolment = None
    with Session(engine) as session:
        if enrolment is not None:
            agent = session.get(Agent, enrolment.agent_id)
            if agent is None or agent.public_key != public_key_bytes(enrolment.key):
                enrolment = None
        if enrolment is None:
            issued = accounts.issue_enrolment_code(
                session,
                unit_hcode=CLERK_UNIT,
                actor=ACTOR,
                now=datetime.now(UTC),
                random=SecureRandom(),
            )
            with ServerClient(server_url) as server:
                enrolment = protocol_steps.enroll(server, issued.code, NAME)
    if enrolment.server_url != server_url:
        enrolment = replace(enrolment, server_url=server_url, origin=normalize_origin(server_url))
    save_enrolment(agent_dir, enrolment)
    return enrolment


class AgentThread:
    """``create_agent_app`` under uvicorn in a thread (no signal handlers: the demo has them)."""

    def __init__(self, agent_dir: Path, port: int, card: CardStack, origins: str) -> None:
        self.settings = AgentSettings(
            data_dir=agent_dir,
            port=port,
            allowed_origins=origins,
            token_file=str(agent_dir / TOKEN_FILE),
        )
        self.url = f"http://{LOOPBACK}:{port}"
        service = AgentService(self.settings, connect=card.connect, monitor=card.monitor())
        config = uvicorn.Config(
            create_agent_app(service, self.settings),
            host=LOOPBACK,
            port=port,
            log_level="warning",
            server_header=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="ucauth-demo-agent")

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise DemoProcessError(name="ucauth agent", detail=f"did not start on {self.url}")
            time.sleep(0.05)

    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(STOP_TIMEOUT)

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
