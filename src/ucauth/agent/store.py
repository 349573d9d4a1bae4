"""What the agent keeps on disk: its key, its enrolment, the session and the token file.

Everything lives in the agent's data directory (0700), each file 0600 and replaced atomically.
The session file is the one source of the current session, shared by ``ucauth agent run`` and
``ucauth agent login`` / ``logout``; the token file (``nhso_token.txt``, ``CID#token`` on one
line) is its opt-in copy for HIS that read it. The PIN is never written anywhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ucauth.agent.errors import AgentDataError, NotEnrolledError
from ucauth.tokens.errors import ProtocolError
from ucauth.tokens.protocol import private_key_from_pem, private_key_to_pem

KEY_FILE = "agent_key.pem"
ENROLMENT_FILE = "agent.json"
SESSION_FILE = "session.json"
PRIVATE_DIR_MODE = 0o700


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, readable and writable by this user only."""
    try:
        path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        # mkstemp creates the file readable and writable by this user only (0600).
        descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(draft, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(draft)
            raise
    except OSError as error:
        raise AgentDataError(path=str(path), reason=error.strerror or str(error)) from None


def remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


@dataclass(frozen=True)
class Enrolment:
    """This workstation's registration: the server, its origin (what logins sign), the agent id
    the server gave, and the private key."""

    server_url: str
    origin: str
    agent_id: int
    name: str
    unit_hcode: str
    key: Ed25519PrivateKey

    @property
    def search_url(self) -> str:
        return f"{self.server_url}/search"

    @property
    def access_request_url(self) -> str:
        return f"{self.server_url}/access-request"


def save_enrolment(data_dir: Path, enrolment: Enrolment) -> None:
    """Write the key first, then the enrolment that names it."""
    write_private(data_dir / KEY_FILE, private_key_to_pem(enrolment.key))
    record = {
        "server_url": enrolment.server_url,
        "origin": enrolment.origin,
        "agent_id": enrolment.agent_id,
        "name": enrolment.name,
        "unit_hcode": enrolment.unit_hcode,
    }
    write_private(data_dir / ENROLMENT_FILE, json.dumps(record, indent=2).encode() + b"\n")


def load_enrolment(data_dir: Path) -> Enrolment:
    """The saved enrolment; NotEnrolledError when there is none, AgentDataError when unusable."""
    path = data_dir / ENROLMENT_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        key = private_key_from_pem((data_dir / KEY_FILE).read_bytes())
        return Enrolment(
            server_url=str(record["server_url"]),
            origin=str(record["origin"]),
            agent_id=int(record["agent_id"]),
            name=str(record["name"]),
            unit_hcode=str(record["unit_hcode"]),
            key=key,
        )
    except FileNotFoundError:
        raise NotEnrolledError() from None
    except (OSError, ValueError, KeyError, TypeError, ProtocolError) as error:
        raise AgentDataError(path=str(path), reason=str(error) or repr(error)) from None


@dataclass(frozen=True)
class Session:
    """A clerk's login: username (CID), token, and when it dies (aware, UTC)."""

    username: str
    token: str
    expires_at: datetime

    def to_json(self) -> dict[str, str]:
        return {
            "username": self.username,
            "token": self.token,
            "expires_at": self.expires_at.isoformat().replace("+00:00", "Z"),
        }

    def token_line(self) -> str:
        return f"{self.username}#{self.token}"


def save_session(data_dir: Path, session: Session, token_file: Path | None) -> None:
    write_private(data_dir / SESSION_FILE, json.dumps(session.to_json()).encode() + b"\n")
    if token_file is not None:
        write_private(token_file, session.token_line().encode("ascii"))


def clear_session(data_dir: Path, token_file: Path | None) -> None:
    remove(data_dir / SESSION_FILE)
    if token_file is not None:
        remove(token_file)


def load_session(data_dir: Path, now: datetime, token_file: Path | None) -> Session | None:
    """The live session, or None; an expired or unreadable one is removed (with the token file)."""
    path = data_dir / SESSION_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        session = Session(
            username=str(record["username"]),
            token=str(record["token"]),
            expires_at=datetime.fromisoformat(str(record["expires_at"])),
        )
        if session.expires_at.tzinfo is None:
            raise ValueError("naive expiry")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        clear_session(data_dir, token_file)
        return None
    if session.expires_at <= now:
        clear_session(data_dir, token_file)
        return None
    return session


def file_stamp(path: Path) -> int | None:
    """When ``path`` last changed (to notice what another process wrote), None if absent."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
