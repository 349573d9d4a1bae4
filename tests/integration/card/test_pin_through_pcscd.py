"""Reading then verifying the PIN on one PC/SC connection; the retry counter across reconnects."""

from __future__ import annotations

import pytest

from tests.support.pcsc import AttachCard, wait_for_presence
from ucauth.card import pcsc
from ucauth.card.errors import InvalidPinError, PinBlockedError
from ucauth.card.thai_id import ThaiIdSession
from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.pcscd import PrivatePcscd
from ucauth.card.virtual.profile import load_named_profile

pytestmark = pytest.mark.pcsc


def wrong_pin_then_tries_left(reader: str) -> int:
    with pcsc.connect(reader) as connection:
        session = ThaiIdSession(connection)
        session.read()
        with pytest.raises(InvalidPinError) as caught:
            session.verify_pin("0000")
    return caught.value.tries_left


def test_tries_left_persist_across_reconnects(pcscd: PrivatePcscd, attach_card: AttachCard) -> None:
    card = VirtualThaiIdCard(load_named_profile("normal"))
    handle = attach_card(card)
    assert wrong_pin_then_tries_left(pcscd.reader(0)) == 2
    handle.remove()
    wait_for_presence(pcscd.reader(0), present=False)
    attach_card(card)
    assert wrong_pin_then_tries_left(pcscd.reader(0)) == 1
    with pcsc.connect(pcscd.reader(0)) as connection:
        session = ThaiIdSession(connection)
        assert session.read().cid == card.profile.cid
        session.verify_pin("1234")
    assert card.tries_left == 3


def test_blocked_pin(attach_card: AttachCard) -> None:
    attach_card("pin_blocked")
    with pcsc.connect() as connection:
        session = ThaiIdSession(connection)
        session.read()
        with pytest.raises(PinBlockedError):
            session.verify_pin("9999")
