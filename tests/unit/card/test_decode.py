from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ucauth.card.decode import (
    Nhso,
    decode_address,
    decode_chip_serial,
    decode_cid,
    decode_gender,
    decode_laser_id,
    decode_name,
    decode_nhso,
    decode_text,
    parse_be_date,
    split_fields,
    trim_photo,
)
from ucauth.card.errors import BadResponseError, CardError, InvalidCardDataError
from ucauth.card.model import Gender


def tis(text: str) -> bytes:
    return text.encode("tis_620")


@pytest.mark.parametrize(
    ("raw", "iso", "lifetime"),
    [
        ("25300512", "1987-05-12", False),
        ("25300500", "1987-05", False),
        ("25300000", "1987", False),
        ("25300012", "1987", False),  # a day without a month means nothing
        ("25430229", "2000-02-29", False),
        ("25440229", "2001-02", False),  # no 29 February in 2001
        ("25301301", "1987", False),
        ("99999999", None, True),
        ("25999999", None, True),
        ("00000000", None, False),
        ("05430101", None, False),
        ("2530051", None, False),
        ("abcdefgh", None, False),
        ("", None, False),
    ],
)
def test_parse_be_date(raw: str, iso: str | None, lifetime: bool) -> None:
    value = parse_be_date(raw.encode())
    assert value.raw == raw
    assert value.iso() == iso
    assert value.lifetime is lifetime


def test_parse_be_date_strips_padding() -> None:
    assert parse_be_date(b"25300512  \x00").iso() == "1987-05-12"


def test_decode_text_is_tis620_with_padding_stripped() -> None:
    assert decode_text(tis("กรุงเทพมหานคร") + b"   \x00\x00") == "กรุงเทพมหานคร"
    assert "\ufffd" in decode_text(b"\xff\xfe")


def test_names_are_split_on_hash_before_stripping() -> None:
    name = decode_name(tis("นาย#ทดสอบ##ระบบดี") + b" " * 60)
    assert (name.prefix, name.first, name.middle, name.last) == ("นาย", "ทดสอบ", "", "ระบบดี")
    assert name.full == "นาย ทดสอบ ระบบดี"


def test_fields_are_padded_or_folded_to_their_count() -> None:
    assert split_fields(b"a#b", 4) == ["a", "b", "", ""]
    assert split_fields(b"a#b#c#d#e", 4) == ["a", "b", "c", "d e"]
    assert split_fields(b"", 4) == ["", "", "", ""]


def test_address_parts() -> None:
    raw = tis("99/9#หมู่ที่ 4##ถนนทดสอบ##ตำบลบางกระสอ#อำเภอเมืองนนทบุรี#จังหวัดนนทบุรี")
    address = decode_address(raw.ljust(160, b" "))
    assert (address.house_no, address.moo, address.soi) == ("99/9", "หมู่ที่ 4", "")
    assert (address.road, address.unused) == ("ถนนทดสอบ", "")
    assert (address.tambon, address.amphoe) == ("ตำบลบางกระสอ", "อำเภอเมืองนนทบุรี")
    assert address.province == "จังหวัดนนทบุรี"


def test_gender() -> None:
    assert decode_gender(b"1") is Gender.MALE
    assert decode_gender(b"2") is Gender.FEMALE
    assert decode_gender(b" ") is Gender.UNKNOWN


def test_cid_needs_a_valid_check_digit() -> None:
    assert decode_cid(b"1101700203450") == "1101700203450"
    with pytest.raises(InvalidCardDataError):
        decode_cid(b"1101700203451")
    with pytest.raises(InvalidCardDataError):
        decode_cid(b"\x00" * 13)


def test_photo_padding_is_trimmed() -> None:
    assert trim_photo(b"\xff\xd8abc\xff\xd9" + b" " * 50 + b"\x00" * 3) == b"\xff\xd8abc\xff\xd9"


def test_laser_id_from_the_23_byte_record_or_taken_whole() -> None:
    assert decode_laser_id(bytes(7) + b"JT0123456789".ljust(16, b"\x00")) == "JT0123456789"
    assert decode_laser_id(b"ME1234567890\x00\x00") == "ME1234567890"
    assert decode_laser_id(bytes(23)) is None


def test_chip_serial() -> None:
    cplc = bytes(13) + bytes.fromhex("0123456789ABCDEF") + bytes(24)
    assert decode_chip_serial(cplc) == "0123456789ABCDEF"
    with pytest.raises(BadResponseError):
        decode_chip_serial(bytes(20))


def test_nhso_record_too_short() -> None:
    with pytest.raises(BadResponseError):
        decode_nhso(bytes(Nhso.RECORD.length - 1))


@given(st.binary(max_size=64))
def test_text_decoders_never_crash(raw: bytes) -> None:
    decode_text(raw)
    decode_name(raw)
    decode_address(raw)
    decode_gender(raw)
    trim_photo(raw)
    value = parse_be_date(raw)
    value.iso()
    value.latest()
    assert value.value is None or value.iso() is not None


@given(st.binary(max_size=400))
def test_record_decoders_give_a_value_or_a_typed_error(raw: bytes) -> None:
    for decoder in (decode_cid, decode_nhso, decode_laser_id, decode_chip_serial):
        with contextlib.suppress(CardError):
            decoder(raw)


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_every_digit_string_parses(raw: str) -> None:
    value = parse_be_date(raw)
    assert value.raw == raw
    if value.year is not None:
        assert value.latest() is not None
