"""What goes wrong: card removed mid-read, pcscd down, no card, a foreign card, two readers."""

from __future__ import annotations

import json

import pytest

from tests.integration.card.cards import ForeignCard, RemovedAfter, run_cli
from tests.support.pcsc import AttachCard
from ucauth.card import pcsc
from ucauth.card.errors import (
    CardRemovedError,
    NoCardError,
    NotThaiIdCardError,
    PcscUnavailableError,
    ReaderNotFoundError,
)
from ucauth.card.thai_id import ThaiIdSession
from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.pcscd import PrivatePcscd
from ucauth.card.virtual.profile import load_named_profile
from ucauth.cli.errors import exit_code_for

pytestmark = pytest.mark.pcsc


def removing_card(after: int) -> RemovedAfter:
    return RemovedAfter(VirtualThaiIdCard(load_named_profile("normal")), after)


def test_card_removed_in_the_middle_of_a_read(attach_card: AttachCard) -> None:
    card = removing_card(after=5)
    handle = attach_card(card)
    card.link = handle.link
    with pcsc.connect() as connection, pytest.raises(CardRemovedError):
        ThaiIdSession(connection).read(photo=True)
    assert not handle.inserted


def test_cli_card_removed_during_the_read(attach_card: AttachCard) -> None:
    card = removing_card(after=9)
    card.link = attach_card(card).link
    result = run_cli("card", "read", "--photo", "/dev/null")
    assert result.returncode == exit_code_for(CardRemovedError()) == 14
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "ucauth: The card was removed during the read: leave it in the reader until the read "
        "finishes and try again"
    ]


def test_pcscd_not_running(pcscd_stopped: PrivatePcscd) -> None:
    with pytest.raises(PcscUnavailableError):
        pcsc.list_readers()
    with pytest.raises(PcscUnavailableError):
        pcsc.connect()
    for command in (["card", "readers"], ["card", "read"]):
        result = run_cli(*command)
        assert result.returncode == exit_code_for(PcscUnavailableError()) == 10
        assert len(result.stderr.strip().splitlines()) == 1
        assert "smart-card service (PC/SC) is not running" in result.stderr


def test_no_card(pcscd: PrivatePcscd) -> None:
    with pytest.raises(NoCardError):
        pcsc.connect()
    with pytest.raises(NoCardError):
        pcsc.connect(pcscd.reader(0))
    result = run_cli("card", "read")
    assert result.returncode == 12
    assert "No card in the reader" in result.stderr


def test_unknown_reader_name(pcscd: PrivatePcscd) -> None:
    with pytest.raises(ReaderNotFoundError):
        pcsc.connect("No Such Reader 00 00")
    result = run_cli("card", "read", "--reader", "No Such Reader 00 00")
    assert result.returncode == 11
    assert "No Such Reader 00 00" in result.stderr


def test_not_a_thai_id_card(pcscd: PrivatePcscd, attach_card: AttachCard) -> None:
    attach_card(ForeignCard())
    with pytest.raises(NotThaiIdCardError):
        pcsc.connect()
    with pcsc.connect(pcscd.reader(0)) as connection, pytest.raises(NotThaiIdCardError):
        ThaiIdSession(connection)
    result = run_cli("card", "read")
    assert result.returncode == 13
    assert "not a Thai national ID card" in result.stderr


def test_two_readers_at_once(pcscd: PrivatePcscd, attach_card: AttachCard) -> None:
    attach_card("normal", slot=0)
    attach_card("lifetime", slot=1)
    cids = {}
    for slot in (0, 1):
        with pcsc.connect(pcscd.reader(slot)) as connection:
            cids[slot] = ThaiIdSession(connection).read().cid
    assert cids == {0: load_named_profile("normal").cid, 1: load_named_profile("lifetime").cid}
    readers = json.loads(run_cli("card", "readers").stdout)
    assert [r["card_present"] for r in readers] == [True, True]


def test_the_thai_card_is_found_in_whichever_reader_holds_it(
    pcscd: PrivatePcscd, attach_card: AttachCard
) -> None:
    attach_card(ForeignCard(), slot=0)
    attach_card("expired", slot=1)
    with pcsc.connect() as connection:
        assert connection.reader == pcscd.reader(1)
        assert ThaiIdSession(connection).read().cid == load_named_profile("expired").cid
    result = run_cli("card", "read")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["reader"] == pcscd.reader(1)
