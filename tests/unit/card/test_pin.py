from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from tests.unit.card.scripted import ScriptedConnection, h
from ucauth.card.apdu import ApduProtocol
from ucauth.card.errors import ApduError, InvalidPinError, PinBlockedError, PinFormatError
from ucauth.card.pin import (
    AdmPinVerifier,
    challenge_response,
    check_verify_status,
    derive_key,
    pin_bytes,
)

ADM = h("A0 00 00 00 84 06 00 02")


def test_derive_key_spreads_the_sha1_words_over_the_template() -> None:
    digest = hashlib.sha1(b"1234" + b"\xff" * 28).digest()  # noqa: S324 - the card's scheme
    key = derive_key("1234")
    for word, offset in enumerate((0, 7, 14, 21, 28)):
        assert key[offset : offset + 4] == digest[4 * word : 4 * word + 4]
    assert key[4:7] == bytes((4, 5, 6))
    assert key[25:28] == bytes((25, 26, 27))
    assert key.hex() == "bab681ff0405065999727a0b0c0da9cae4c012131429b5ca4a191a1b1da06896"


def _cbc_by_hand(key24: bytes, data: bytes) -> bytes:
    """3DES-CBC with a zero IV built from single-block ECB, independently of the code under test."""
    ecb = Cipher(TripleDES(key24), modes.ECB()).encryptor()  # noqa: S305 - building CBC by hand
    previous, out = bytes(8), b""
    for i in range(0, len(data), 8):
        block = bytes(a ^ b for a, b in zip(data[i : i + 8], previous, strict=True))
        previous = ecb.update(block)
        out += previous
    return out


def test_challenge_response_is_three_rounds_of_two_key_3des_cbc() -> None:
    challenge = bytes(range(32))
    key = derive_key("1234")
    expected = challenge
    for k in range(3):
        k1, k2 = key[8 * k : 8 * k + 8], key[8 * k + 8 : 8 * k + 16]
        expected = _cbc_by_hand(k1 + k2 + k1, expected)
    assert challenge_response(challenge, "1234") == expected
    assert expected.hex() == "13d2faeddc716f028c36d391a22c2686fd062a5028f60589692a6b1e351e8eca"
    assert challenge_response(challenge, "1235") != expected


@pytest.mark.parametrize("pin", ["", "123", "12345", "12a4", "١٢٣٤", " 1234"])
def test_pin_must_be_four_ascii_digits(pin: str) -> None:
    with pytest.raises(PinFormatError):
        pin_bytes(pin)


def test_a_badly_formed_pin_never_reaches_the_card() -> None:
    connection = ScriptedConnection([])
    with pytest.raises(PinFormatError):
        AdmPinVerifier(ApduProtocol(connection), ADM).verify_pin("12")
    assert connection.sent == []


@pytest.mark.parametrize(
    ("sw", "tries"),
    [(0x6302, 2), (0x6301, 1), (0x63C2, 2), (0x63C1, 1), (0x6305, 5)],
)
def test_wrong_pin_reports_tries_left(sw: int, tries: int) -> None:
    with pytest.raises(InvalidPinError) as caught:
        check_verify_status(sw)
    assert caught.value.tries_left == tries
    assert str(tries) in caught.value.message("th")


@pytest.mark.parametrize("sw", [0x6300, 0x63C0, 0x6983])
def test_blocked_pin_is_its_own_error(sw: int) -> None:
    with pytest.raises(PinBlockedError) as caught:
        check_verify_status(sw)
    assert "civil registration office" in caught.value.message("en")


def test_other_status_words_are_apdu_errors() -> None:
    check_verify_status(0x9000)
    with pytest.raises(ApduError):
        check_verify_status(0x6A80)


def test_challenge_refused_because_blocked() -> None:
    connection = ScriptedConnection(
        [(h("00 A4 04 00 08") + ADM, b"", 0x610A), (h("80 B4 00 00"), b"", 0x6983)]
    )
    with pytest.raises(PinBlockedError):
        AdmPinVerifier(ApduProtocol(connection), ADM).verify_pin("1234")
    connection.assert_done()


def test_verifier_is_marked_unconfirmed_on_hardware() -> None:
    assert AdmPinVerifier.confirmed_on_hardware is False
