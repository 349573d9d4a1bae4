"""Card and reader events from a real pcscd, including pcscd going away and coming back."""

from __future__ import annotations

import queue

import pytest

from tests.support.pcsc import AttachCard
from ucauth.card.events import CardEvent, CardMonitor, EventKind
from ucauth.card.virtual.pcscd import PrivatePcscd
from ucauth.card.virtual.profile import load_named_profile

pytestmark = pytest.mark.pcsc

EVENT_TIMEOUT = 5.0


def next_event(events: queue.Queue[CardEvent], *skip: EventKind) -> CardEvent:
    while True:
        event = events.get(timeout=EVENT_TIMEOUT)
        if event.kind not in skip:
            return event


def test_insert_and_remove(pcscd: PrivatePcscd, attach_card: AttachCard) -> None:
    events: queue.Queue[CardEvent] = queue.Queue()
    with CardMonitor(poll_interval=0.2) as monitor:
        monitor.subscribe(events.put)
        first = [next_event(events), next_event(events)]
        assert {(e.kind, e.reader) for e in first} == {
            (EventKind.READER_ADDED, pcscd.reader(0)),
            (EventKind.READER_ADDED, pcscd.reader(1)),
        }
        card = attach_card("normal", slot=1, wait=False)
        inserted = next_event(events)
        assert (inserted.kind, inserted.reader) == (EventKind.CARD_INSERTED, pcscd.reader(1))
        assert inserted.atr == load_named_profile("normal").atr
        card.remove()
        removed = next_event(events)
        assert (removed.kind, removed.reader) == (EventKind.CARD_REMOVED, pcscd.reader(1))


def test_monitor_survives_pcscd_going_away_and_coming_back(
    pcscd: PrivatePcscd, attach_card: AttachCard
) -> None:
    events: queue.Queue[CardEvent] = queue.Queue()
    with CardMonitor(poll_interval=0.2, retry_interval=0.2) as monitor:
        monitor.subscribe(events.put)
        attach_card("normal", slot=0, wait=False)
        assert next_event(events, EventKind.READER_ADDED).kind is EventKind.CARD_INSERTED
        pcscd.stop()
        try:
            lost = next_event(events, EventKind.READER_REMOVED, EventKind.CARD_REMOVED)
            assert lost.kind is EventKind.SERVICE_LOST
            assert monitor.readers == {}
        finally:
            pcscd.start()
        assert next_event(events).kind is EventKind.SERVICE_RESTORED
        added = {next_event(events).reader, next_event(events).reader}
        assert added == {pcscd.reader(0), pcscd.reader(1)}
