"""Decoders for the Thai ID card's binary records, and the record layouts they read.

Every decoder takes arbitrary bytes and returns a value or raises a :class:`CardError`; odd text
and dates are kept (with their raw value) rather than failing the whole read. Text is TIS-620;
``#``-separated fields are split first, then stripped.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from ucauth.card.errors import BadResponseError, InvalidCardDataError
from ucauth.card.model import Address, BeDate, Gender, NhsoData, PersonName
from ucauth.cid import is_valid_cid
from ucauth.thaidate import BE_OFFSET

TEXT_ENCODING = "tis_620"
FIELD_SEPARATOR = "#"
PADDING = " \t\r\n\x00"
JPEG_PADDING = b" \x00"
LIFETIME_YEAR_BE = 9999
LIFETIME_MONTH_DAY = 99


@dataclass(frozen=True)
class Field:
    """A field at ``offset`` (within its applet's binary record), ``length`` bytes long."""

    offset: int
    length: int

    @property
    def end(self) -> int:
        return self.offset + self.length

    def take(self, record: bytes, base: int = 0) -> bytes:
        """This field's bytes from ``record``, which starts at offset ``base``."""
        return record[self.offset - base : self.end - base]


class Moi:
    """MOI applet record layout (thai-id-card reference §1.4)."""

    CID = Field(0x0004, 13)
    NAME_TH = Field(0x0011, 100)
    NAME_EN = Field(0x0075, 100)
    BIRTH_DATE = Field(0x00D9, 8)
    GENDER = Field(0x00E1, 1)
    ISSUER = Field(0x00F6, 100)
    ISSUER_CODE = Field(0x015A, 13)
    ISSUE_DATE = Field(0x0167, 8)
    EXPIRY_DATE = Field(0x016F, 8)
    PHOTO = Field(0x017B, 5118)
    ADDRESS = Field(0x1579, 160)
    ADDRESS_SHORT = Field(0x1579, 100)
    PICTURE_TAG = Field(0x1619, 14)
    TEXT = Field(CID.offset, EXPIRY_DATE.end - CID.offset)
    """The contiguous block holding every text field but the address."""


class Nhso:
    """NHSO applet record layout (thai-id-card reference §1.6)."""

    MAIN_INSCL = Field(0x0004, 60)
    SUB_INSCL = Field(0x0040, 100)
    MAIN_HOSPITAL = Field(0x00A4, 80)
    SUB_HOSPITAL = Field(0x00F4, 80)
    PAID_TYPE = Field(0x0144, 1)
    ISSUE_DATE = Field(0x0145, 8)
    EXPIRY_DATE = Field(0x014D, 8)
    UPDATE_DATE = Field(0x0155, 8)
    CHANGE_HOSPITAL_AMOUNT = Field(0x015D, 1)
    RECORD = Field(MAIN_INSCL.offset, CHANGE_HOSPITAL_AMOUNT.end - MAIN_INSCL.offset)


ADM_INFO_LASER = slice(7, 23)
"""Laser number within the ADM applet's 23-byte information record (Advanced-Logic)."""
CPLC_CHIP_ID = slice(13, 21)
"""Chip ID within the card manager's CPLC data (Advanced-Logic ``getCardID``)."""


def decode_text(raw: bytes) -> str:
    """TIS-620 text with padding spaces and NULs stripped; undecodable bytes become U+FFFD."""
    return raw.decode(TEXT_ENCODING, errors="replace").strip(PADDING)


def split_fields(raw: bytes, count: int) -> list[str]:
    """The ``#``-separated parts of a text field, stripped, padded or folded to ``count``."""
    parts = [p.strip(PADDING) for p in raw.decode(TEXT_ENCODING, errors="replace").split("#")]
    parts = parts + [""] * (count - len(parts))
    head, tail = parts[: count - 1], [p for p in parts[count - 1 :] if p]
    return [*head, " ".join(tail)]


def decode_name(raw: bytes) -> PersonName:
    """``prefix#first#middle#last``."""
    return PersonName(*split_fields(raw, 4))


def decode_address(raw: bytes) -> Address:
    """``house#moo#soi#road#(unused)#tambon#amphoe#province``."""
    return Address(*split_fields(raw, 8))


def decode_gender(raw: bytes) -> Gender:
    """``1`` male, ``2`` female, anything else unknown."""
    return {"1": Gender.MALE, "2": Gender.FEMALE}.get(decode_text(raw), Gender.UNKNOWN)


def decode_cid(raw: bytes) -> str:
    """The citizen ID; raises InvalidCardDataError unless it has a valid check digit."""
    cid = decode_text(raw)
    if not is_valid_cid(cid):
        raise InvalidCardDataError(field="cid", value=cid.encode("unicode_escape").decode()[:40])
    return cid


def parse_be_date(raw: bytes | str) -> BeDate:
    """A BE ``YYYYMMDD`` date; never raises. Unknown (``00``) or invalid parts become None."""
    text = decode_text(raw) if isinstance(raw, bytes) else raw.strip(PADDING)
    if len(text) != len("YYYYMMDD") or not text.isascii() or not text.isdigit():
        return BeDate(raw=text)
    be_year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    if be_year == LIFETIME_YEAR_BE or month == day == LIFETIME_MONTH_DAY:
        return BeDate(raw=text, lifetime=True)
    if be_year <= BE_OFFSET:
        return BeDate(raw=text)
    year = be_year - BE_OFFSET
    if not 1 <= month <= 12:
        return BeDate(raw=text, year=year)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return BeDate(raw=text, year=year, month=month)
    return BeDate(raw=text, year=year, month=month, day=day)


def trim_photo(raw: bytes) -> bytes:
    """The JPEG without the record's trailing padding (spaces or NULs)."""
    return raw.rstrip(JPEG_PADDING)


def decode_nhso(record: bytes) -> NhsoData:
    """The NHSO record read from :data:`Nhso.RECORD`'s offset."""
    if len(record) < Nhso.RECORD.length:
        raise BadResponseError(detail=f"NHSO record of {len(record)} bytes is too short")

    def text(field: Field) -> str:
        return decode_text(field.take(record, Nhso.RECORD.offset))

    def when(field: Field) -> BeDate:
        return parse_be_date(field.take(record, Nhso.RECORD.offset))

    return NhsoData(
        main_inscl=text(Nhso.MAIN_INSCL),
        sub_inscl=text(Nhso.SUB_INSCL),
        main_hospital=text(Nhso.MAIN_HOSPITAL),
        sub_hospital=text(Nhso.SUB_HOSPITAL),
        paid_type=text(Nhso.PAID_TYPE),
        issue_date=when(Nhso.ISSUE_DATE),
        expiry_date=when(Nhso.EXPIRY_DATE),
        update_date=when(Nhso.UPDATE_DATE),
        change_hospital_amount=text(Nhso.CHANGE_HOSPITAL_AMOUNT),
    )


def decode_laser_id(info: bytes) -> str | None:
    """The laser ID from the ADM information record (a shorter answer is taken whole).

    Which bytes hold it is not confirmed on a physical card; None when it is empty.
    """
    raw = info[ADM_INFO_LASER] if len(info) >= ADM_INFO_LASER.stop else info
    laser = raw.decode("ascii", errors="replace").strip(PADDING)
    return laser or None


def decode_chip_serial(cplc: bytes) -> str:
    """The chip ID (hex) from the card manager's CPLC data."""
    if len(cplc) < CPLC_CHIP_ID.stop:
        raise BadResponseError(detail=f"CPLC data of {len(cplc)} bytes is too short")
    return cplc[CPLC_CHIP_ID].hex().upper()
