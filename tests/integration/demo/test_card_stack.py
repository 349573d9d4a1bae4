"""The demo's virtual card: through a private pcscd when none runs, in-process beside a pcscd
that has no free vpcd reader, and in-process when pcscd is not installed."""

from __future__ import annotations

import pytest

from ucauth.card.thai_id import ThaiIdSession
from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.pcscd import PrivatePcscd
from ucauth.card.virtual.profile import load_named_profile
from ucauth.demo.card import CardStack, Transport, virtual_card

pytestmark = pytest.mark.pcsc


def read_cid(stack: CardStack) -> str:
    with stack.connect() as connection:
        return ThaiIdSession(connection).read().cid


def normal_card() -> VirtualThaiIdCard:
    return VirtualThaiIdCard(load_named_profile("normal"))


def test_a_private_pcscd_when_none_runs(pcscd_stopped: PrivatePcscd) -> None:
    with virtual_card(normal_card(), "en") as stack:
        assert stack.transport == Transport.PRIVATE_PCSCD, stack.message
        assert stack.reader == "ucauth Virtual PCD 00 00"
        assert "Started a private pcscd" in stack.message
        assert read_cid(stack) == "1101700203450"


def test_in_process_beside_a_pcscd_without_the_packaged_vpcd(pcscd: PrivatePcscd) -> None:
    with virtual_card(normal_card(), "en") as stack:
        assert stack.transport == Transport.IN_PROCESS
        assert stack.reader is None
        assert "without a free vpcd virtual reader" in stack.message
        assert read_cid(stack) == "1101700203450"


def test_in_process_without_pcscd_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with virtual_card(normal_card(), "en") as stack:
        assert stack.transport == Transport.IN_PROCESS
        assert "pcscd or vsmartcard-vpcd is not installed" in stack.message
        assert read_cid(stack) == "1101700203450"
