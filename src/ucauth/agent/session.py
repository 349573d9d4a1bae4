"""The workstation's current session, shared with other processes through the session file.

``ucauth agent run`` and ``ucauth agent login`` / ``logout`` see one session: the file written
by :func:`ucauth.agent.store.save_session`. :class:`SessionKeeper` holds it in memory, takes up
changes another process made, and ends it when its token dies (``session_expired``) or the
server no longer takes it (``session_ended``). Not thread-safe: the service calls it under its
own lock.
"""

from __future__ import annotations

from pathlib import Path

from ucauth.agent.store import (
    SESSION_FILE,
    Session,
    clear_session,
    file_stamp,
    load_session,
    save_session,
)
from ucauth.clock import Clock

EXPIRED = "session_expired"
ENDED = "session_ended"


class SessionKeeper:
    """The session of ``data_dir``, with its opt-in ``token_file``."""

    def __init__(self, data_dir: Path, token_file: Path | None, clock: Clock) -> None:
        self._data_dir, self._token_file, self._clock = data_dir, token_file, clock
        self._session: Session | None = None
        self._stamp: int | None = None
        self.ended: str | None = None
        """Why the last session ended by itself (:data:`EXPIRED`, :data:`ENDED`), else None."""

    def live(self) -> Session | None:
        """The session unless its token has died (then it is ended, files and all)."""
        session = self._session
        if session is not None and session.expires_at <= self._clock.now():
            self._replace(None)
            self.ended = EXPIRED
            return None
        return session

    def set(self, session: Session | None) -> None:
        """A new session (written with the token file), or None after a logout."""
        self._replace(session)
        self.ended = None

    def end(self, session: Session) -> bool:
        """The server no longer takes ``session``'s token: end it, unless already replaced."""
        if self._session != session:
            return False
        self._replace(None)
        self.ended = ENDED
        return True

    def sync(self) -> None:
        """Take up a login or logout another process wrote; end an expired session."""
        stamp = file_stamp(self._data_dir / SESSION_FILE)
        if stamp != self._stamp:
            self._session = load_session(self._data_dir, self._clock.now(), self._token_file)
            self._stamp = file_stamp(self._data_dir / SESSION_FILE)
        self.live()

    def _replace(self, session: Session | None) -> None:
        if session is None:
            clear_session(self._data_dir, self._token_file)
        else:
            save_session(self._data_dir, session, self._token_file)
        self._session = session
        self._stamp = file_stamp(self._data_dir / SESSION_FILE)
