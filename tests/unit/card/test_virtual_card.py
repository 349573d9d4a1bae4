from __future__ import annotations

import pytest

from tests.unit.card.scripted import h
from ucauth.card.errors import CardRemovedError
from ucauth.card.pin import challenge_response
from ucauth.card.virtual.card import VirtualThaiIdCard, parse_command
from ucauth.card.virtual.inprocess import InProcessConnection
from ucauth.card.virtual.profile import load_named_profile
from ucauth.randomness import SeededRandom

SELECT_MOI = "00 A4 04 00 08 A0 00 00 00 54 48 00 01"
SELECT_ADM = "00 A4 04 00 08 A0 00 00 00 84 06 00 02"


def card(profile: str = "normal") -> VirtualThaiIdCard:
    return VirtualThaiIdCard(load_named_profile(profile), SeededRandom(1))


def sw(response: bytes) -> str:
    return response[-2:].hex().upper()


@pytest.mark.parametrize(
    ("commands", "expected"),
    [
        ([SELECT_MOI], "610A"),
        (["00 A4 04 00 08 A0 00 00 00 54 48 00 99"], "6A82"),
        (["00 A4 00 0C 02 3F 00"], "6A86"),
        (["80 B0 00 04 02 00 0D"], "6986"),  # nothing selected
        ([SELECT_MOI, "80 B0 16 20 02 00 10"], "6B00"),  # beyond the end of the file
        ([SELECT_MOI, "80 B0 00 04 01 0D"], "6700"),
        ([SELECT_MOI, "80 B0 00 04 02 00 00"], "6700"),
        (["00 C0 00 00 0A"], "6985"),  # nothing pending
        ([SELECT_MOI, "00 C0 00 01 0A"], "6A86"),  # P2 01 on a card that wants 00
        ([SELECT_MOI, "80 FE 00 00"], "6D00"),
        (["B0 B0 00 00"], "6E00"),
        (["00 A4"], "6700"),
        (["00 A4 04 00 05 A0"], "6700"),  # Lc larger than the data
        ([SELECT_MOI, "80 B4 00 00"], "6D00"),  # challenge outside the ADM applet
        ([SELECT_ADM, "80 20 01 00 20" + " 00" * 32], "6985"),  # no challenge first
        ([SELECT_ADM, "80 20 02 00 20" + " 00" * 32], "6A86"),
        ([SELECT_ADM, "80 B4 00 00", "80 20 01 00 04 01 02 03 04"], "6700"),
        (["00 A4 04 00", "80 CA 9F 01"], "6A88"),
        ([SELECT_MOI, "80 CA 9F 7F"], "6D00"),
    ],
)
def test_status_words(commands: list[str], expected: str) -> None:
    virtual = card()
    responses = [virtual.process(h(c)) for c in commands]
    assert sw(responses[-1]) == expected


def test_read_binary_then_get_response() -> None:
    virtual = card()
    virtual.process(h(SELECT_MOI))
    assert sw(virtual.process(h("80 B0 00 04 02 00 0D"))) == "610D"
    assert virtual.process(h("00 C0 00 00 0D")) == b"1101700203450" + h("90 00")
    assert sw(virtual.process(h("00 C0 00 00 0D"))) == "6985"  # answered once only


def test_get_response_can_be_taken_in_parts_and_asks_for_the_right_le() -> None:
    virtual = card()
    virtual.process(h(SELECT_MOI))
    virtual.process(h("80 B0 00 04 02 00 0D"))
    assert sw(virtual.process(h("00 C0 00 00 20"))) == "6C0D"
    assert virtual.process(h("00 C0 00 00 04")) == b"1101" + h("61 09")
    assert virtual.process(h("00 C0 00 00 09")) == b"700203450" + h("90 00")


def test_3b67_card_wants_get_response_p2_01() -> None:
    virtual = card("atr_3b67")
    virtual.process(h(SELECT_MOI))
    virtual.process(h("80 B0 00 04 02 00 0D"))
    assert sw(virtual.process(h("00 C0 00 00 0D"))) == "6A86"
    assert virtual.process(h("00 C0 00 01 0D")) == b"1200500678908" + h("90 00")


def test_another_command_drops_the_pending_response() -> None:
    virtual = card()
    virtual.process(h(SELECT_MOI))
    virtual.process(h("80 B0 00 04 02 00 0D"))
    virtual.process(h(SELECT_MOI))
    virtual.process(h("80 FE 00 00"))
    assert sw(virtual.process(h("00 C0 00 00 0D"))) == "6985"


def test_no_nhso_applet_on_a_card_without_nhso_data() -> None:
    assert sw(card("unknown_birth").process(h("00 A4 04 00 08 A0 00 00 00 54 48 00 83"))) == "6A82"


def pin_attempt(virtual: VirtualThaiIdCard, pin: str) -> str:
    virtual.process(h(SELECT_ADM))
    virtual.process(h("80 B4 00 00"))
    challenge = virtual.process(h("00 C0 00 00 20"))[:-2]
    return sw(virtual.process(h("80 20 01 00 20") + challenge_response(challenge, pin)))


def test_pin_counter_counts_down_blocks_and_survives_power_cycles() -> None:
    virtual = card()
    assert pin_attempt(virtual, "1111") == "6302"
    virtual.power_off()
    virtual.power_on()
    assert pin_attempt(virtual, "2222") == "6301"
    assert pin_attempt(virtual, "1234") == "9000"  # success resets the counter
    assert virtual.tries_left == 3
    for expected in ("6302", "6301", "6300", "6983"):
        assert pin_attempt(virtual, "0000") == expected
    assert pin_attempt(virtual, "1234") == "6983"  # blocked even for the right PIN


def test_a_challenge_is_good_for_one_verify_only() -> None:
    virtual = card()
    virtual.process(h(SELECT_ADM))
    virtual.process(h("80 B4 00 00"))
    challenge = virtual.process(h("00 C0 00 00 20"))[:-2]
    answer = h("80 20 01 00 20") + challenge_response(challenge, "1234")
    assert sw(virtual.process(answer)) == "9000"
    assert sw(virtual.process(answer)) == "6985"


def test_challenge_with_le() -> None:
    virtual = card()
    virtual.process(h(SELECT_ADM))
    assert sw(virtual.process(h("80 B4 00 00 10"))) == "6C20"
    assert len(virtual.process(h("80 B4 00 00 20"))) == 34


@pytest.mark.parametrize(
    ("apdu", "parsed"),
    [
        ("00 A4 04 00", (b"", None)),
        ("80 B4 00 00 00", (b"", 256)),
        ("80 B0 00 04 02 00 0D", (h("00 0D"), None)),
        ("00 A4 04 00 01 AA 0A", (h("AA"), 10)),
    ],
)
def test_parse_command(apdu: str, parsed: tuple[bytes, int | None]) -> None:
    command = parse_command(h(apdu))
    assert command is not None
    assert (command.data, command.le) == parsed


def test_in_process_connection_refuses_after_close() -> None:
    connection = InProcessConnection(card())
    connection.close()
    with pytest.raises(CardRemovedError):
        connection.transmit(h(SELECT_MOI))
