from __future__ import annotations

import pytest

from tests.unit.card.scripted import ATR_3B67, RecordingConnection, ScriptedConnection, h
from ucauth.card.decode import Moi
from ucauth.card.errors import (
    ApduError,
    InvalidCardDataError,
    InvalidPinError,
    NotThaiIdCardError,
    PinBlockedError,
)
from ucauth.card.model import Gender
from ucauth.card.pin import challenge_response
from ucauth.card.thai_id import ThaiIdSession, is_thai_id_card
from ucauth.card.virtual.card import VirtualThaiIdCard, build_moi_record
from ucauth.card.virtual.inprocess import InProcessConnection
from ucauth.card.virtual.profile import CardProfile, load_named_profile
from ucauth.randomness import SeededRandom

SELECT_MOI = h("00 A4 04 00 08 A0 00 00 00 54 48 00 01")
SELECT_ADM = h("00 A4 04 00 08 A0 00 00 00 84 06 00 02")
SELECT_NHSO = h("00 A4 04 00 08 A0 00 00 00 54 48 00 83")
OK = 0x9000


def text_read_script(record: bytes, p2: int = 0x00) -> list[tuple[bytes, bytes, int]]:
    """SELECT + the three READ BINARY / GET RESPONSE pairs of a text-only read."""
    gr = f"00 C0 00 {p2:02X}"
    return [
        (SELECT_MOI, b"", 0x610A),
        (h("80 B0 00 04 02 00 FF"), b"", 0x61FF),
        (h(f"{gr} FF"), record[0x0004:0x0103], OK),
        (h("80 B0 01 03 02 00 74"), b"", 0x6174),
        (h(f"{gr} 74"), record[0x0103:0x0177], OK),
        (h("80 B0 15 79 02 00 A0"), b"", 0x61A0),
        (h(f"{gr} A0"), record[0x1579:0x1619], OK),
    ]


@pytest.fixture
def normal() -> CardProfile:
    return load_named_profile("normal")


def test_text_fields_take_seven_exchanges_with_these_exact_apdus(normal: CardProfile) -> None:
    connection = ScriptedConnection(text_read_script(build_moi_record(normal)))
    session = ThaiIdSession(connection)
    data = session.read(laser_id=False, chip_serial=False)
    connection.assert_done()
    assert session.protocol.exchanges == 7
    assert data.cid == "1101700203450"
    name = data.name_th
    assert (name.prefix, name.first, name.middle, name.last) == ("นาย", "สมชาย", "", "ทดสอบระบบ")
    assert data.name_en.full == "Mr. Somchai Thotsoprabop"
    assert data.birth_date.iso() == "1987-05-12"
    assert data.gender is Gender.MALE
    assert data.issuer == "อำเภอเมืองนนทบุรี/นนทบุรี"
    assert data.expiry_date.raw == "25730511"
    assert data.address.province == "จังหวัดนนทบุรี"
    assert data.address.moo == "หมู่ที่ 4"
    assert data.photo is None and data.laser_id is None and data.nhso is None


def test_3b67_cards_get_response_with_p2_01() -> None:
    profile = load_named_profile("atr_3b67")
    connection = ScriptedConnection(text_read_script(build_moi_record(profile), 0x01), ATR_3B67)
    assert ThaiIdSession(connection).read(laser_id=False, chip_serial=False).cid == profile.cid
    connection.assert_done()


def test_address_falls_back_to_100_bytes_when_the_card_refuses_160(normal: CardProfile) -> None:
    record = build_moi_record(normal)
    script = [
        *text_read_script(record)[:5],
        (h("80 B0 15 79 02 00 A0"), b"", 0x6B00),
        (h("80 B0 15 79 02 00 64"), b"", 0x6164),
        (h("00 C0 00 00 64"), record[0x1579:0x15DD], OK),
    ]
    connection = ScriptedConnection(script)
    data = ThaiIdSession(connection).read(laser_id=False, chip_serial=False)
    assert data.address.tambon == "ตำบลบางกระสอ"
    connection.assert_done()


def test_not_a_thai_id_card() -> None:
    connection = ScriptedConnection([(SELECT_MOI, b"", 0x6A82)])
    with pytest.raises(NotThaiIdCardError):
        ThaiIdSession(connection)
    assert not is_thai_id_card(ScriptedConnection([(SELECT_MOI, b"", 0x6A82)]))


def test_invalid_cid_fails_the_read(normal: CardProfile) -> None:
    record = bytearray(build_moi_record(normal))
    record[Moi.CID.offset : Moi.CID.end] = b"1101700203451"
    connection = ScriptedConnection(text_read_script(bytes(record)))
    with pytest.raises(InvalidCardDataError) as caught:
        ThaiIdSession(connection).read(laser_id=False, chip_serial=False)
    assert "1101700203451" in str(caught.value)


Recorded = tuple[ThaiIdSession, RecordingConnection, VirtualThaiIdCard]


def recorded(profile: str = "normal") -> Recorded:
    card = VirtualThaiIdCard(load_named_profile(profile), SeededRandom(7))
    connection = RecordingConnection(InProcessConnection(card))
    return ThaiIdSession(connection), connection, card


def test_photo_is_read_with_the_text_as_one_block_and_trimmed(normal: CardProfile) -> None:
    session, connection, _ = recorded()
    data = session.read(photo=True, laser_id=False, chip_serial=False)
    assert data.photo == normal.photo_data
    reads = [a for a in connection.sent if a[:2] == h("80 B0")]
    assert [a[2:4].hex() for a in reads[:3]] == ["0004", "0103", "0202"]
    assert len(reads) == 23  # 22 for text + photo, 1 for the address
    assert session.protocol.exchanges == 47


def test_photo_alone(normal: CardProfile) -> None:
    session, connection, _ = recorded()
    assert session.read_photo() == normal.photo_data
    assert connection.sent[1] == h("80 B0 01 7B 02 00 FF")
    assert connection.sent[-2] == h("80 B0 15 67 02 00 12")  # 20 x 255 + 18 = 5118 bytes


def test_extras_laser_id_chip_serial_and_nhso() -> None:
    session, connection, _ = recorded()
    data = session.read(nhso=True)
    assert data.laser_id == "JT0123456789"
    assert data.chip_serial == "0123456789ABCDEF"
    assert data.nhso is not None and data.nhso.main_inscl.startswith("(UCS)")
    assert data.nhso.expiry_date.iso() == "2026-01-31"
    assert SELECT_NHSO in connection.sent
    assert h("80 00 00 00 07") in connection.sent
    assert h("00 A4 04 00") in connection.sent and h("80 CA 9F 7F") in connection.sent


def test_extras_are_none_on_a_card_without_them() -> None:
    session, _, _ = recorded("old_chip")
    data = session.read(photo=True, nhso=True)
    assert (data.laser_id, data.chip_serial, data.nhso) == (None, None, None)
    assert data.photo == b""


def test_read_then_verify_pin_on_one_connection() -> None:
    session, connection, card = recorded()
    session.read()
    sent_before = len(connection.sent)
    with pytest.raises(InvalidPinError) as caught:
        session.verify_pin("0000")
    assert caught.value.tries_left == 2
    verifies = [a for a in connection.sent[sent_before:] if a[:2] == h("80 20")]
    assert len(verifies) == 1  # one attempt, never retried
    session.verify_pin("1234")
    assert card.tries_left == 3
    assert session.read(laser_id=False, chip_serial=False).cid == "1101700203450"


def test_verify_pin_sends_the_challenge_response() -> None:
    challenge = bytes(range(32))
    expected = challenge_response(challenge, "1234")
    connection = ScriptedConnection(
        [
            (SELECT_MOI, b"", 0x610A),
            (SELECT_ADM, b"", 0x610A),
            (h("80 B4 00 00"), b"", 0x6120),
            (h("00 C0 00 00 20"), challenge, OK),
            (h("80 20 01 00 20") + expected, b"", OK),
        ]
    )
    ThaiIdSession(connection).verify_pin("1234")
    connection.assert_done()


def test_blocked_pin() -> None:
    session, connection, _ = recorded("pin_blocked")
    with pytest.raises(PinBlockedError):
        session.verify_pin("9999")
    assert sum(a[:2] == h("80 20") for a in connection.sent) == 1


def test_card_errors_during_read_propagate(normal: CardProfile) -> None:
    connection = ScriptedConnection(
        [(SELECT_MOI, b"", 0x610A), (h("80 B0 00 04 02 00 FF"), b"", 0x6F00)]
    )
    with pytest.raises(ApduError):
        ThaiIdSession(connection).read()
