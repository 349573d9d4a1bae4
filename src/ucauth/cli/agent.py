"""``ucauth agent``: enrol this workstation, log in with the card, log out, run the agent."""

from __future__ import annotations

import gc
import json
import socket
import sys

import click

from ucauth.agent import login as protocol_steps
from ucauth.agent.errors import (
    AlreadyEnrolledError,
    NotEnrolledError,
    NotLoggedInError,
    SessionEndedError,
)
from ucauth.agent.server import ServerClient
from ucauth.agent.settings import LOOPBACK, load_agent_settings
from ucauth.agent.store import (
    clear_session,
    load_enrolment,
    load_session,
    save_enrolment,
    save_session,
)
from ucauth.card.errors import PinFormatError
from ucauth.cli.card import require_pcsc, say
from ucauth.clock import SystemClock


@click.group("agent")
def agent() -> None:
    """The workstation agent: enrolment, card login, the localhost page and API."""


@agent.command("enroll")
@click.option("--server", "server_url", required=True, help="The server's URL.")
@click.option("--code", required=True, help="One-time enrolment code from an administrator.")
@click.option("--name", default=None, help="This workstation's name (default: the host name).")
@click.option("--force", is_flag=True, help="Replace an existing enrolment.")
def enroll_command(server_url: str, code: str, name: str | None, force: bool) -> None:
    """Register this workstation's new key with the server (key kept user-only)."""
    settings = load_agent_settings()
    if not force:
        try:
            existing = load_enrolment(settings.data_dir)
        except NotEnrolledError:
            pass
        else:
            raise AlreadyEnrolledError(server_url=existing.server_url, agent_id=existing.agent_id)
    with ServerClient(server_url, timeout=settings.server_timeout) as server:
        enrolment = protocol_steps.enroll(server, code, name or socket.gethostname()[:100])
    save_enrolment(settings.data_dir, enrolment)
    clear_session(settings.data_dir, settings.token_path)
    say(
        "agent.enrolled",
        name=enrolment.name,
        server_url=enrolment.server_url,
        agent_id=enrolment.agent_id,
        unit_hcode=enrolment.unit_hcode,
    )


@agent.command("login")
@click.option("--pin-stdin", is_flag=True, required=True, help="Read the PIN from stdin.")
@click.option("--reader", default=None, help="Use this reader (default: the one with the card).")
def login_command(pin_stdin: bool, reader: str | None) -> None:
    """Log in with the card and its PIN; prints {username, token, expires_at} as JSON."""
    settings = load_agent_settings(reader=reader)
    pin = _read_pin()
    enrolment = load_enrolment(settings.data_dir)
    now = SystemClock().now()
    with (
        ServerClient(enrolment.server_url, timeout=settings.server_timeout) as server,
        require_pcsc().connect(settings.reader_name) as connection,
    ):
        session = protocol_steps.card_login(
            connection,
            pin,
            enrolment,
            server,
            today=now.astimezone(settings.zone).date(),
            now=now,
        )
    save_session(settings.data_dir, session, settings.token_path)
    click.echo(json.dumps(session.to_json()))


@agent.command("logout")
def logout_command() -> None:
    """End the session of this workstation (on the server too)."""
    settings = load_agent_settings()
    session = load_session(settings.data_dir, SystemClock().now(), settings.token_path)
    if session is None:
        raise NotLoggedInError()
    enrolment = load_enrolment(settings.data_dir)
    try:
        with ServerClient(enrolment.server_url, timeout=settings.server_timeout) as server:
            server.logout(session.username, session.token)
    except SessionEndedError:
        pass  # the token was dead already
    finally:
        clear_session(settings.data_dir, settings.token_path)
    say("agent.logged_out")


@agent.command("run")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (UCAUTH_AGENT_PORT; 8189).")
def run_command(port: int | None) -> None:
    """Run the agent: its page and API on 127.0.0.1 only."""
    # Only this command serves the page: the others start without FastAPI and uvicorn.
    import uvicorn

    from ucauth.agent.app import create_agent_app
    from ucauth.agent.service import AgentService

    settings = load_agent_settings(port=port)
    app = create_agent_app(AgentService(settings), settings)
    say("agent.running", url=f"http://{LOOPBACK}:{settings.port}/")
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=LOOPBACK, port=settings.port, server_header=False, log_level="warning")


def _read_pin() -> str:
    """The first line of stdin, without its line end (nothing else is ever read or kept)."""
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise PinFormatError()
    return line
