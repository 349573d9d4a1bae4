"""The agent service: live state of the five login steps, one login at a time, the session.

No FastAPI here. Three kinds of thread feed the state: the card monitor's (readers, cards, the
PC/SC service coming and going), one worker that reads inserted cards and asks the server for
the account's status, and a housekeeping thread that probes the server (backing off while it is
down), notices logins and logouts made by ``ucauth agent login`` / ``logout``, and ends the
session when its token dies at midnight. Every card operation holds one card lock, so a status
read, an NHSO-compatible read and a login never interleave their APDUs.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx

from ucauth.agent import login as protocol_steps
from ucauth.agent.errors import (
    AccountError,
    AgentError,
    LoginInProgressError,
    NotEnrolledError,
    NotLoggedInError,
    ServerUnreachableError,
    SessionEndedError,
)
from ucauth.agent.server import ServerClient
from ucauth.agent.session import SessionKeeper
from ucauth.agent.settings import AgentSettings
from ucauth.agent.steps import Snapshot
from ucauth.agent.store import ENROLMENT_FILE, Enrolment, Session, file_stamp, load_enrolment
from ucauth.card.errors import CardError, InvalidPinError, PinBlockedError, PyscardMissingError
from ucauth.card.events import CardEvent, CardMonitor, EventKind, ReaderState
from ucauth.card.model import ThaiIdCardData
from ucauth.card.thai_id import ThaiIdSession
from ucauth.card.transport import CardConnection
from ucauth.clock import Clock, SystemClock
from ucauth.errors import UcauthError
from ucauth.rights.rest import RightSearchResponse
from ucauth.tokens.schemas import AccountStatusResponse

logger = logging.getLogger(__name__)

Connect = Callable[[str | None], CardConnection]
BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
"""Seconds between probes of a server that does not answer (the last one repeats)."""
TICK = 0.2
STARTUP_GRACE = 1.5
"""Seconds after start during which no reader means "still looking", not "none"."""


def pcsc_connect(reader: str | None) -> CardConnection:
    """The card in ``reader`` (or the reader holding a Thai ID card) through PC/SC."""
    try:
        from ucauth.card import pcsc
    except ImportError as error:
        raise PyscardMissingError() from error
    return pcsc.connect(reader)


@dataclass(frozen=True)
class _Card:
    reader: str | None = None
    reading: bool = False
    data: ThaiIdCardData | None = None
    error: UcauthError | None = None
    generation: int = 0


@dataclass(frozen=True)
class _Account:
    cid: str | None = None
    checking: bool = False
    status: AccountStatusResponse | None = None
    error: UcauthError | None = None


class AgentService:
    """The agent's state and actions. ``start()`` it before use and ``stop()`` it at the end.

    ``connect`` opens a card connection (PC/SC by default; tests pass an in-process one),
    ``monitor`` reports reader and card events, ``http`` replaces the HTTP client of the server.
    """

    def __init__(
        self,
        settings: AgentSettings,
        *,
        clock: Clock | None = None,
        connect: Connect = pcsc_connect,
        monitor: CardMonitor | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock or SystemClock()
        self._connect = connect
        self._monitor = monitor or CardMonitor()
        self._http = http
        self._lock = threading.RLock()
        self._login_lock = threading.Lock()
        self._card_lock = threading.Lock()
        self._stop = threading.Event()
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._started = time.monotonic()
        self._pcsc_up: bool | None = None
        self._card = _Card()
        self._account = _Account()
        self._pin_error: UcauthError | None = None
        self._enrolment: Enrolment | None = None
        self._enrolment_error: UcauthError | None = None
        self._server: ServerClient | None = None
        self._server_up: bool | None = None
        self._failures = 0
        self._next_probe = 0.0
        self._sessions = SessionKeeper(settings.data_dir, settings.token_path, self._clock)
        self._enrolment_stamp: int | None = None
        self._enrolment_checked = False

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self._started = time.monotonic()
        self._load_enrolment()
        with self._lock:
            self._sessions.sync()
        self._monitor.subscribe(self._on_event)
        self._monitor.start()
        for target, name in ((self._work, "worker"), (self._housekeep, "housekeeping")):
            thread = threading.Thread(target=target, name=f"ucauth-agent-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self._jobs.put(None)
        self._monitor.stop()
        for thread in self._threads:
            thread.join(5.0)
        with self._lock:
            if self._server is not None:
                self._server.close()

    # -- what the HTTP layer asks ---------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def enrolment(self) -> Enrolment | None:
        with self._lock:
            return self._enrolment

    @property
    def login_in_progress(self) -> bool:
        return self._login_lock.locked()

    def snapshot(self) -> Snapshot:
        with self._lock:
            wanted = self.settings.reader_name
            readers = {
                name: state.present
                for name, state in self._monitor.readers.items()
                if wanted is None or name == wanted
            }
            retry_in = None
            if self._server_up is False:
                retry_in = max(0.0, self._next_probe - time.monotonic())
            return Snapshot(
                readers=readers,
                pcsc_up=self._pcsc_up,
                starting=time.monotonic() - self._started < STARTUP_GRACE,
                wanted_reader=wanted,
                card_reader=self._card.reader,
                card_reading=self._card.reading,
                card=self._card.data,
                card_error=self._card.error,
                server_url=self._enrolment.server_url if self._enrolment else None,
                enrolment_error=self._enrolment_error,
                server_up=self._server_up,
                retry_in=retry_in,
                account_cid=self._account.cid,
                account_checking=self._account.checking,
                account=self._account.status,
                account_error=self._account.error,
                pin_error=self._pin_error,
                session=self._sessions.live(),
                session_end=self._sessions.ended,
                zone=self.settings.zone,
            )

    def session(self) -> Session:
        """The live session, or NotLoggedInError."""
        with self._lock:
            session = self._sessions.live()
        if session is None:
            raise NotLoggedInError()
        return session

    def login(self, pin: str) -> Session:
        """Log the card holder in with ``pin`` (one attempt on the card); the new session.

        LoginInProgressError while another login runs; the card, agent and server errors of
        :func:`ucauth.agent.login.card_login` otherwise.
        """
        if not self._login_lock.acquire(blocking=False):
            raise LoginInProgressError()
        try:
            enrolment, server = self._client()
            now = self._clock.now()
            try:
                with self._card_lock, self._connect(self._login_reader()) as connection:
                    session = protocol_steps.card_login(
                        connection,
                        pin,
                        enrolment,
                        server,
                        today=now.astimezone(self.settings.zone).date(),
                        now=now,
                    )
            except (InvalidPinError, PinBlockedError) as error:
                with self._lock:
                    self._pin_error = error
                raise
            except ServerUnreachableError:
                self._server_failed()
                raise
            except AccountError as error:  # the account changed since step 4 asked
                with self._lock:
                    if self._card.data is not None:
                        self._account = _Account(cid=self._card.data.cid, error=error)
                raise
            self._set_session(session)
            return session
        finally:
            self._login_lock.release()

    def logout(self) -> None:
        """End the session here and, when the server answers, on the server."""
        with self._lock:
            session = self._sessions.live()
        if session is not None:
            try:
                self._client()[1].logout(session.username, session.token)
            except AgentError as error:
                logger.warning("logout: the server was not told (%s)", error.code)
        self._set_session(None)

    def read_card(self, *, photo: bool) -> ThaiIdCardData:
        """Read the card in the reader now (NHSO-compatible endpoints); nothing is kept."""
        with self._card_lock, self._connect(self._read_reader()) as connection:
            return ThaiIdSession(connection).read(photo=photo, laser_id=False, chip_serial=False)

    def terminals(self) -> list[ReaderState]:
        wanted = self.settings.reader_name
        states = self._monitor.readers.values()
        return [s for s in states if wanted is None or s.reader == wanted]

    def rights(self, pid: str) -> RightSearchResponse | None:
        """``pid``'s rights looked up on the server with the logged-in clerk's token."""
        session = self.session()
        try:
            return self._client()[1].right_search(session.username, session.token, pid)
        except ServerUnreachableError:
            self._server_failed()
            raise
        except (SessionEndedError, AccountError):
            self._end_session(session)
            raise NotLoggedInError() from None

    # -- card events and the worker -------------------------------------------------------------

    def _on_event(self, event: CardEvent) -> None:
        wanted = self.settings.reader_name
        with self._lock:
            if event.kind == EventKind.SERVICE_LOST:
                self._pcsc_up = False
                self._forget_card()
                return
            self._pcsc_up = True
            if wanted is not None and event.reader != wanted:
                return
            if event.kind in (EventKind.CARD_REMOVED, EventKind.READER_REMOVED):
                if event.reader == self._card.reader:
                    self._forget_card()
                    self._read_next_card()
            elif event.kind == EventKind.CARD_INSERTED and self._card.reader is None:
                self._read_card_in(event.reader)

    def _read_card_in(self, reader: str | None) -> None:
        """Follow the card in ``reader`` from now on; read it on the worker. Under the lock."""
        generation = self._card.generation + 1
        self._card = _Card(reader=reader, reading=True, generation=generation)
        self._jobs.put(lambda: self._read_inserted(reader, generation))

    def _read_next_card(self) -> None:
        """After a removal, follow a card still in another reader, if any. Under the lock."""
        present = [s.reader for s in self.terminals() if s.present]
        if present:
            self._read_card_in(present[0])

    def _forget_card(self) -> None:
        """Card removal clears the card holder's data, the account answer and the PIN error."""
        self._card = _Card(generation=self._card.generation + 1)
        self._account = _Account()
        self._pin_error = None

    def _read_inserted(self, reader: str | None, generation: int) -> None:
        data: ThaiIdCardData | None = None
        error: UcauthError | None = None
        try:
            with self._card_lock, self._connect(reader) as connection:
                data = ThaiIdSession(connection).read(laser_id=False, chip_serial=False)
            today = self._clock.now().astimezone(self.settings.zone).date()
            protocol_steps.check_not_expired(data, today)
        except UcauthError as failure:
            error = failure
        except Exception:  # a reader driver's surprise must not kill the worker
            logger.exception("reading the inserted card failed")
            error = CardError()
        with self._lock:
            if self._card.generation == generation:
                self._card = replace(self._card, reading=False, data=data, error=error)

    def _check_account(self, cid: str, generation: int) -> None:
        status: AccountStatusResponse | None = None
        error: UcauthError | None = None
        try:
            enrolment, server = self._client()
            status = protocol_steps.account_status(server, enrolment, cid)
            error = protocol_steps.account_error(status, server.access_request_url)
        except ServerUnreachableError:
            self._server_failed()
            with self._lock:
                if self._card.generation == generation:
                    self._account = _Account()
            return
        except UcauthError as failure:
            error = failure
        with self._lock:
            if self._card.generation == generation:
                self._account = _Account(cid=cid, status=status, error=error)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            except Exception:
                logger.exception("agent worker: a job failed")

    # -- housekeeping ---------------------------------------------------------------------------

    def _housekeep(self) -> None:
        while not self._stop.wait(TICK):
            try:
                self._load_enrolment()
                self._probe_server()
                with self._lock:
                    self._sessions.sync()
                self._schedule_account_check()
            except Exception:
                logger.exception("agent housekeeping failed; going on")

    def _load_enrolment(self) -> None:
        """Load the enrolment, again whenever ``ucauth agent enroll`` has replaced it."""
        stamp = file_stamp(self.settings.data_dir / ENROLMENT_FILE)
        with self._lock:
            if self._enrolment_checked and stamp == self._enrolment_stamp:
                return
            self._enrolment_checked, self._enrolment_stamp = True, stamp
        try:
            enrolment: Enrolment | None = load_enrolment(self.settings.data_dir)
            error: UcauthError | None = None
        except AgentError as failure:
            enrolment, error = None, failure
        server = (
            None
            if enrolment is None
            else ServerClient(
                enrolment.server_url, timeout=self.settings.server_timeout, http=self._http
            )
        )
        with self._lock:
            if self._server is not None:
                self._server.close()
            self._enrolment, self._server, self._enrolment_error = enrolment, server, error
            self._server_up, self._failures, self._next_probe = None, 0, 0.0
            self._account = _Account()

    def _client(self) -> tuple[Enrolment, ServerClient]:
        with self._lock:
            if self._enrolment is None or self._server is None:
                raise self._enrolment_error or NotEnrolledError()
            return self._enrolment, self._server

    def _probe_server(self) -> None:
        """``/healthz``; while a session is live, ``/me`` instead, which also tells whether the
        token still works (a login elsewhere or an administrator may have ended it)."""
        with self._lock:
            server, session = self._server, self._sessions.live()
            due = server is not None and time.monotonic() >= self._next_probe
        if server is None or not due:
            return
        try:
            if session is None:
                server.healthz()
            else:
                server.me(session.username, session.token)
        except (SessionEndedError, AccountError):
            self._end_session(session)
        except AgentError:
            self._server_failed()
            return
        with self._lock:
            self._server_up, self._failures = True, 0
            self._next_probe = time.monotonic() + self.settings.check_interval

    def _server_failed(self) -> None:
        with self._lock:
            self._server_up = False
            self._failures += 1
            delay = BACKOFF[min(self._failures, len(BACKOFF)) - 1]
            self._next_probe = time.monotonic() + delay

    def _schedule_account_check(self) -> None:
        with self._lock:
            card, account = self._card, self._account
            ready = (
                self._server_up
                and card.data is not None
                and card.error is None
                and self._sessions.live() is None
                and not account.checking
                and account.cid != card.data.cid
            )
            if not ready or card.data is None:
                return
            cid = card.data.cid
            self._account = _Account(cid=cid, checking=True)
        self._jobs.put(lambda: self._check_account(cid, card.generation))

    # -- the session ----------------------------------------------------------------------------

    def _end_session(self, session: Session | None) -> None:
        """The server no longer takes ``session``'s token: end it here (unless replaced)."""
        with self._lock:
            if session is not None and self._sessions.end(session):
                self._account = _Account()

    def _set_session(self, session: Session | None) -> None:
        with self._lock:
            self._sessions.set(session)
            self._pin_error, self._account = None, _Account()

    # -- readers --------------------------------------------------------------------------------

    def _login_reader(self) -> str | None:
        with self._lock:
            return self.settings.reader_name or self._card.reader

    def _read_reader(self) -> str | None:
        with self._lock:
            if self.settings.reader_name or self._card.reader:
                return self.settings.reader_name or self._card.reader
        present = [s.reader for s in self.terminals() if s.present]
        return present[0] if present else None
