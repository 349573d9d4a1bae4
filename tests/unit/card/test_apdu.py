from __future__ import annotations

import logging

import pytest

from tests.unit.card.scripted import ATR_3B67, ScriptedConnection, h
from ucauth.card.apdu import (
    SW,
    TRAFFIC,
    ApduProtocol,
    Cla,
    Ins,
    encode_apdu,
    get_response_p2,
    redact,
)
from ucauth.card.errors import ApduError, ApplicationNotAvailableError, BadResponseError


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0x00, 0xA4, 0x04, 0x00), "00 A4 04 00"),
        ((0x80, 0xB4, 0x00, 0x00, b"", 0x20), "80 B4 00 00 20"),
        ((0x80, 0xB4, 0x00, 0x00, b"", 256), "80 B4 00 00 00"),
        ((0x80, 0xB0, 0x01, 0x7B, h("00 FF")), "80 B0 01 7B 02 00 FF"),
        ((0x00, 0xA4, 0x04, 0x00, h("A1 A2"), 0x0A), "00 A4 04 00 02 A1 A2 0A"),
    ],
)
def test_encode_apdu(args: tuple[int, ...], expected: str) -> None:
    assert encode_apdu(*args) == h(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("le", [0, 257])
def test_encode_apdu_rejects_bad_le(le: int) -> None:
    with pytest.raises(ValueError, match="Le"):
        encode_apdu(0, 0, 0, 0, le=le)


def test_encode_apdu_rejects_long_data() -> None:
    with pytest.raises(ValueError, match="short APDU"):
        encode_apdu(0, 0, 0, 0, bytes(256))


def test_get_response_p2_follows_the_3b67_quirk() -> None:
    assert get_response_p2(ATR_3B67) == 0x01
    assert get_response_p2(h("3B 79 96 00 00")) == 0x00
    assert get_response_p2(h("3B 68 00 00")) == 0x00


def test_61xx_is_answered_with_get_response_le_from_sw2() -> None:
    connection = ScriptedConnection(
        [
            (h("80 B0 00 04 02 00 0D"), b"", 0x610D),
            (h("00 C0 00 00 0D"), b"1101700203450", SW.OK),
        ]
    )
    assert (
        ApduProtocol(connection).send_apdu(0x80, 0xB0, 0x00, 0x04, h("00 0D")) == b"1101700203450"
    )
    connection.assert_done()


def test_get_response_uses_p2_01_on_3b67_cards() -> None:
    connection = ScriptedConnection(
        [(h("80 B0 00 04 02 00 02"), b"", 0x6102), (h("00 C0 00 01 02"), b"ab", SW.OK)],
        atr=ATR_3B67,
    )
    assert ApduProtocol(connection).send_apdu(0x80, 0xB0, 0x00, 0x04, h("00 02")) == b"ab"


def test_get_response_chains_while_the_card_has_more() -> None:
    connection = ScriptedConnection(
        [
            (h("80 CA 9F 7F"), b"", 0x6104),
            (h("00 C0 00 00 04"), b"abcd", 0x6102),
            (h("00 C0 00 00 02"), b"ef", SW.OK),
        ]
    )
    protocol = ApduProtocol(connection)
    assert protocol.send_apdu(0x80, 0xCA, 0x9F, 0x7F) == b"abcdef"
    assert protocol.exchanges == 3


def test_6cxx_resends_the_command_once_with_le_from_sw2() -> None:
    connection = ScriptedConnection(
        [
            (h("80 B4 00 00 10"), b"", 0x6C20),
            (h("80 B4 00 00 20"), bytes(32), SW.OK),
        ]
    )
    assert ApduProtocol(connection).send_apdu(0x80, 0xB4, 0x00, 0x00, le=0x10) == bytes(32)
    connection.assert_done()


def test_get_response_6cxx_is_resent_with_the_right_length() -> None:
    connection = ScriptedConnection(
        [
            (h("80 00 00 00 07"), b"", 0x6110),
            (h("00 C0 00 00 10"), b"", 0x6C05),
            (h("00 C0 00 00 05"), b"12345", SW.OK),
        ]
    )
    assert ApduProtocol(connection).send_apdu(0x80, 0x00, 0x00, 0x00, le=7) == b"12345"


def test_a_pin_command_is_never_resent() -> None:
    connection = ScriptedConnection([(h("80 20 01 00 04 01 02 03 04"), b"", 0x6C04)])
    _, sw = ApduProtocol(connection).exchange(0x80, Ins.VERIFY, 0x01, 0x00, h("01020304"))
    assert sw == 0x6C04
    connection.assert_done()


def test_get_response_without_data_but_more_to_come_is_a_bad_response() -> None:
    connection = ScriptedConnection(
        [(h("80 CA 9F 7F"), b"", 0x6101), (h("00 C0 00 00 01"), b"", 0x6101)]
    )
    with pytest.raises(BadResponseError):
        ApduProtocol(connection).send_apdu(0x80, 0xCA, 0x9F, 0x7F)


def test_send_apdu_raises_apdu_error_with_the_sw() -> None:
    connection = ScriptedConnection([(h("80 CA 9F 7F"), b"", 0x6A88)])
    with pytest.raises(ApduError) as caught:
        ApduProtocol(connection).send_apdu(0x80, 0xCA, 0x9F, 0x7F)
    assert caught.value.sw == 0x6A88
    assert "6A88" in str(caught.value)


def test_select_counts_61xx_as_success_without_get_response() -> None:
    connection = ScriptedConnection([(h("00 A4 04 00 08 A0 00 00 00 54 48 00 01"), b"", 0x610A)])
    protocol = ApduProtocol(connection)
    protocol.select(h("A0 00 00 00 54 48 00 01"))
    assert protocol.exchanges == 1


@pytest.mark.parametrize("sw", [0x6A82, 0x6999])
def test_select_of_a_missing_applet(sw: int) -> None:
    connection = ScriptedConnection([(h("00 A4 04 00 02 A1 A2"), b"", sw)])
    with pytest.raises(ApplicationNotAvailableError):
        ApduProtocol(connection).select(h("A1 A2"))


def test_select_with_another_error() -> None:
    connection = ScriptedConnection([(h("00 A4 04 00"), b"", 0x6E00)])
    with pytest.raises(ApduError) as caught:
        ApduProtocol(connection).select(b"")
    assert not isinstance(caught.value, ApplicationNotAvailableError)


def test_redact_hides_pin_command_data_only() -> None:
    assert redact(h("80 20 01 00 04 31 32 33 34")) == "80 20 01 00 04 <4 bytes redacted>"
    assert (
        redact(h("00 24 00 80 08 31 32 33 34 35 36 37 38")) == "00 24 00 80 08 <8 bytes redacted>"
    )
    assert redact(h("80 B0 00 04 02 00 0D")) == "80 B0 00 04 02 00 0D"


def test_traffic_is_logged_below_debug_with_pin_data_redacted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    answer = bytes.fromhex("AB" * 32)
    connection = ScriptedConnection(
        [
            (h("80 B0 00 04 02 00 02"), b"", 0x6102),
            (h("00 C0 00 00 02"), b"\x12\x34", SW.OK),
            (h("80 20 01 00 20") + answer, b"", 0x6302),
        ]
    )
    protocol = ApduProtocol(connection)
    with caplog.at_level(TRAFFIC, logger="ucauth.card.apdu"):
        protocol.send_apdu(0x80, 0xB0, 0x00, 0x04, h("00 02"))
        protocol.exchange(Cla.PROPRIETARY, Ins.VERIFY, 0x01, 0x00, answer)
    assert TRAFFIC < logging.DEBUG
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "> 80 B0 00 04 02 00 02"
    assert "< 12 34 9000" in lines
    assert "> 80 20 01 00 20 <32 bytes redacted>" in lines
    assert all("AB AB" not in line for line in lines)
    assert all(r.levelno == TRAFFIC for r in caplog.records)
