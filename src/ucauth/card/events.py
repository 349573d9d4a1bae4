"""Reader and card events (insert, remove, readers and the PC/SC service coming and going).

A :class:`CardMonitor` runs one background thread that waits on PC/SC for changes and calls its
subscribers with :class:`CardEvent` objects. It never gives up: when the PC/SC service goes away
it reports ``SERVICE_LOST`` (and the removal of every card and reader it knew), then keeps trying
to re-establish a fresh context and reports ``SERVICE_RESTORED`` when it can.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum, unique
from types import TracebackType
from typing import Protocol, Self

from ucauth.card.errors import PcscUnavailableError

logger = logging.getLogger(__name__)

POLL_INTERVAL = 0.5
"""Seconds one PC/SC wait may block; also how often the reader list is refreshed."""
RETRY_INTERVAL = 1.0
"""Seconds between attempts to reach a PC/SC service that is not running."""
STOP_TIMEOUT = 5.0


@dataclass(frozen=True)
class ReaderState:
    """What PC/SC last said about one reader; ``event_state`` is PC/SC's opaque state word."""

    reader: str
    present: bool
    atr: bytes = b""
    event_state: int = 0


@unique
class EventKind(StrEnum):
    """What happened."""

    READER_ADDED = "reader_added"
    READER_REMOVED = "reader_removed"
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"
    SERVICE_LOST = "service_lost"
    SERVICE_RESTORED = "service_restored"


@dataclass(frozen=True)
class CardEvent:
    """One event; ``reader`` is None for service events, ``atr`` is set on insertion."""

    kind: EventKind
    reader: str | None = None
    atr: bytes | None = None


class StatusSource(Protocol):
    """The part of a PC/SC context the monitor uses (see :class:`ucauth.card.pcsc.PcscContext`)."""

    def status_change(
        self, known: Mapping[str, ReaderState], timeout: float
    ) -> dict[str, ReaderState]:
        """Wait up to ``timeout`` s for a change from ``known``; return every reader's state."""
        ...

    def cancel(self) -> None:
        """Make a blocked ``status_change`` return now (callable from another thread)."""
        ...

    def close(self) -> None: ...


def diff(old: Mapping[str, ReaderState], new: Mapping[str, ReaderState]) -> list[CardEvent]:
    """The events that turn ``old`` into ``new``."""
    events: list[CardEvent] = []
    for name, state in old.items():
        if name not in new:
            if state.present:
                events.append(CardEvent(EventKind.CARD_REMOVED, name))
            events.append(CardEvent(EventKind.READER_REMOVED, name))
    for name, state in new.items():
        before = old.get(name)
        if before is None:
            events.append(CardEvent(EventKind.READER_ADDED, name))
        elif before.present and (not state.present or before.atr != state.atr):
            events.append(CardEvent(EventKind.CARD_REMOVED, name))
        if state.present and (before is None or not before.present or before.atr != state.atr):
            events.append(CardEvent(EventKind.CARD_INSERTED, name, state.atr))
    return events


def open_pcsc_context() -> StatusSource:
    """A new PC/SC context (imports pyscard only when a monitor really starts)."""
    from ucauth.card.pcsc import PcscContext

    return PcscContext()


class CardMonitor:
    """Watches every reader and tells subscribers what changes.

    The first events after ``start()`` describe the readers and cards already there. Callbacks
    run on the monitor's thread; one that raises is logged and does not stop the others.
    """

    def __init__(
        self,
        open_context: Callable[[], StatusSource] = open_pcsc_context,
        *,
        poll_interval: float = POLL_INTERVAL,
        retry_interval: float = RETRY_INTERVAL,
    ) -> None:
        self._open_context = open_context
        self._poll_interval = poll_interval
        self._retry_interval = retry_interval
        self._subscribers: list[Callable[[CardEvent], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._context: StatusSource | None = None
        self._thread: threading.Thread | None = None
        self._states: dict[str, ReaderState] = {}

    @property
    def readers(self) -> dict[str, ReaderState]:
        """The last known state of every reader."""
        with self._lock:
            return dict(self._states)

    def subscribe(self, callback: Callable[[CardEvent], None]) -> Callable[[], None]:
        """Call ``callback`` for every event from now on; returns a function that unsubscribes."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def start(self) -> None:
        """Start watching in a background thread."""
        if self._thread is not None:
            raise RuntimeError("monitor already started")
        self._thread = threading.Thread(target=self._run, name="ucauth-card-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop watching and wait for the thread to end."""
        self._stop.set()
        with self._lock:
            context = self._context
        if context is not None:
            context.cancel()
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        service_up: bool | None = None
        while not self._stop.is_set():
            try:
                context = self._context
                if context is None:
                    context = self._open_context()
                    self._set_context(context)
                    if service_up is False:
                        self._publish([CardEvent(EventKind.SERVICE_RESTORED)])
                    service_up = True
                new = context.status_change(self._states, self._poll_interval)
                self._update(new)
                if not new:
                    self._stop.wait(self._poll_interval)
            except PcscUnavailableError:
                self._drop_context()
                self._update({})
                if service_up is not False:
                    self._publish([CardEvent(EventKind.SERVICE_LOST)])
                service_up = False
                self._stop.wait(self._retry_interval)
            except Exception:
                logger.exception("card monitor: unexpected error; starting over with a new context")
                self._drop_context()
                self._stop.wait(self._retry_interval)
        self._drop_context()

    def _set_context(self, context: StatusSource) -> None:
        with self._lock:
            self._context = context
        if self._stop.is_set():  # stop() came while the context was being opened
            context.cancel()

    def _drop_context(self) -> None:
        with self._lock:
            context, self._context = self._context, None
        if context is not None:
            try:
                context.close()
            except Exception:
                logger.debug("card monitor: closing a dead context failed", exc_info=True)

    def _update(self, new: dict[str, ReaderState]) -> None:
        with self._lock:
            events = diff(self._states, new)
            self._states = new
        self._publish(events)

    def _publish(self, events: list[CardEvent]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for event in events:
            logger.debug("card event: %s %s", event.kind, event.reader or "")
            for callback in subscribers:
                try:
                    callback(event)
                except Exception:
                    logger.exception("card event subscriber failed on %s", event.kind)
