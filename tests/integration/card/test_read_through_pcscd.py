"""Every shipped profile read through pyscard -> pcscd -> vpcd, compared with an in-process read."""

from __future__ import annotations

import statistics
import time

import pytest

from tests.support.pcsc import AttachCard
from ucauth.card import pcsc
from ucauth.card.thai_id import ThaiIdSession
from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.inprocess import InProcessConnection
from ucauth.card.virtual.pcscd import PrivatePcscd
from ucauth.card.virtual.profile import bundled_profile_names, load_named_profile

pytestmark = pytest.mark.pcsc


@pytest.mark.parametrize("name", bundled_profile_names())
def test_every_shipped_profile(name: str, pcscd: PrivatePcscd, attach_card: AttachCard) -> None:
    profile = load_named_profile(name)
    attach_card(profile)
    with pcsc.connect() as connection:
        assert connection.reader == pcscd.reader(0)
        assert connection.atr == profile.atr
        data = ThaiIdSession(connection).read(photo=True, nhso=True)
    with InProcessConnection(VirtualThaiIdCard(profile)) as direct:
        expected = ThaiIdSession(direct).read(photo=True, nhso=True)
    assert data == expected
    assert data.cid == profile.cid
    assert data.photo == profile.photo_data
    assert data.expiry_date.raw == profile.expiry_date


def test_text_fields_in_seven_exchanges_and_fast(
    pcscd: PrivatePcscd, attach_card: AttachCard
) -> None:
    attach_card("normal")
    times, exchanges = [], set()
    for _ in range(30):
        start = time.perf_counter()
        with pcsc.connect(pcscd.reader(0)) as connection:
            session = ThaiIdSession(connection)
            session.read(laser_id=False, chip_serial=False)
        times.append(time.perf_counter() - start)
        exchanges.add(session.protocol.exchanges)
    assert exchanges == {7}
    # Without TCP_QUICKACK on the card side each exchange costs ~44 ms (7 exchanges > 300 ms).
    assert statistics.median(times) < 0.04


def test_reader_states_show_the_card(pcscd: PrivatePcscd, attach_card: AttachCard) -> None:
    attach_card("atr_3b67", slot=1)
    states = {s.reader: s for s in pcsc.reader_states()}
    assert not states[pcscd.reader(0)].present
    assert states[pcscd.reader(1)].present
    assert states[pcscd.reader(1)].atr == load_named_profile("atr_3b67").atr
