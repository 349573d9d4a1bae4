from __future__ import annotations

import queue
import threading
from collections.abc import Mapping

from ucauth.card.errors import PcscUnavailableError
from ucauth.card.events import CardEvent, CardMonitor, EventKind, ReaderState, diff

A, B = "Reader A 00 00", "Reader B 00 00"
ATR = bytes.fromhex("3B68000054482049442036")


def state(reader: str, present: bool, atr: bytes = ATR) -> ReaderState:
    return ReaderState(reader, present, atr if present else b"")


def kinds(events: list[CardEvent]) -> list[tuple[EventKind, str | None]]:
    return [(e.kind, e.reader) for e in events]


def test_diff_reader_and_card_changes() -> None:
    assert kinds(diff({}, {A: state(A, True)})) == [
        (EventKind.READER_ADDED, A),
        (EventKind.CARD_INSERTED, A),
    ]
    assert kinds(diff({A: state(A, False)}, {A: state(A, True)})) == [(EventKind.CARD_INSERTED, A)]
    assert kinds(diff({A: state(A, True)}, {A: state(A, False)})) == [(EventKind.CARD_REMOVED, A)]
    assert kinds(diff({A: state(A, True)}, {})) == [
        (EventKind.CARD_REMOVED, A),
        (EventKind.READER_REMOVED, A),
    ]
    assert diff({A: state(A, True)}, {A: state(A, True)}) == []
    swapped = diff({A: state(A, True)}, {A: state(A, True, b"\x3b\x00")})
    assert kinds(swapped) == [(EventKind.CARD_REMOVED, A), (EventKind.CARD_INSERTED, A)]
    assert swapped[1].atr == b"\x3b\x00"


class FakePcsc:
    """A PC/SC service whose reader states and availability the test controls."""

    def __init__(self) -> None:
        self.states: dict[str, ReaderState] = {}
        self.up = True
        self.changed = threading.Event()
        self.contexts = 0

    def open(self) -> FakeContext:
        if not self.up:
            raise PcscUnavailableError()
        self.contexts += 1
        return FakeContext(self)

    def set(self, states: dict[str, ReaderState], up: bool = True) -> None:
        self.states, self.up = states, up
        self.changed.set()


class FakeContext:
    def __init__(self, service: FakePcsc) -> None:
        self.service = service
        self.cancelled = False

    def status_change(
        self, known: Mapping[str, ReaderState], timeout: float
    ) -> dict[str, ReaderState]:
        if dict(known) == self.service.states and self.service.up:
            self.service.changed.wait(timeout)
            self.service.changed.clear()
        if not self.service.up:
            raise PcscUnavailableError()
        return dict(self.service.states)

    def cancel(self) -> None:
        self.cancelled = True
        self.service.changed.set()

    def close(self) -> None:
        pass


def expect(events: queue.Queue[CardEvent], *wanted: tuple[EventKind, str | None]) -> None:
    got = [events.get(timeout=5) for _ in wanted]
    assert kinds(got) == list(wanted)


def test_monitor_reports_changes_and_survives_the_service_going_away() -> None:
    service = FakePcsc()
    service.set({A: state(A, False)})
    events: queue.Queue[CardEvent] = queue.Queue()
    monitor = CardMonitor(service.open, poll_interval=0.05, retry_interval=0.05)
    monitor.subscribe(events.put)
    with monitor:
        expect(events, (EventKind.READER_ADDED, A))
        service.set({A: state(A, True)})
        expect(events, (EventKind.CARD_INSERTED, A))
        assert monitor.readers[A].present
        service.set({A: state(A, True)}, up=False)
        expect(
            events,
            (EventKind.CARD_REMOVED, A),
            (EventKind.READER_REMOVED, A),
            (EventKind.SERVICE_LOST, None),
        )
        service.set({B: state(B, False)})
        expect(events, (EventKind.SERVICE_RESTORED, None), (EventKind.READER_ADDED, B))
    assert service.contexts == 2


def test_monitor_starting_without_the_service() -> None:
    service = FakePcsc()
    service.up = False
    events: queue.Queue[CardEvent] = queue.Queue()
    monitor = CardMonitor(service.open, poll_interval=0.05, retry_interval=0.05)
    monitor.subscribe(events.put)
    with monitor:
        expect(events, (EventKind.SERVICE_LOST, None))
        service.set({A: state(A, True)})
        expect(
            events,
            (EventKind.SERVICE_RESTORED, None),
            (EventKind.READER_ADDED, A),
            (EventKind.CARD_INSERTED, A),
        )


def test_a_failing_subscriber_does_not_stop_the_others() -> None:
    service = FakePcsc()
    service.set({A: state(A, True)})
    events: queue.Queue[CardEvent] = queue.Queue()

    def broken(event: CardEvent) -> None:
        raise RuntimeError("subscriber bug")

    monitor = CardMonitor(service.open, poll_interval=0.05)
    monitor.subscribe(broken)
    unsubscribe = monitor.subscribe(events.put)
    with monitor:
        expect(events, (EventKind.READER_ADDED, A), (EventKind.CARD_INSERTED, A))
        unsubscribe()
        service.set({})
        monitor.stop()
    assert events.empty()


def test_stop_interrupts_a_long_wait() -> None:
    service = FakePcsc()
    service.set({A: state(A, False)})
    monitor = CardMonitor(service.open, poll_interval=60)
    monitor.start()
    ready = threading.Event()
    monitor.subscribe(lambda event: ready.set())
    ready.wait(5)
    stopper = threading.Thread(target=monitor.stop)
    stopper.start()
    stopper.join(5)
    assert not stopper.is_alive()
