"""The data read from a Thai ID card, as frozen dataclasses."""

from __future__ import annotations

import calendar
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum, unique

from ucauth.thaidate import PartialDate

DIGEST_VERSION = "ucauth-card-digest-v1"
"""Tag inside the canonical encoding; a new encoding gets a new tag."""


@dataclass(frozen=True)
class BeDate:
    """A Buddhist-Era ``YYYYMMDD`` date from the card, kept with its raw text.

    Parts the card leaves unknown (``00``) or that are not valid are ``None``; ``lifetime`` marks
    the never-expiring sentinel (BE year ``9999``, or month and day ``99``; inferred, not confirmed
    on a card). Years are Gregorian.
    """

    raw: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    lifetime: bool = False

    @property
    def value(self) -> date | None:
        """The date, when year, month and day are all known."""
        if self.year is None or self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)

    def iso(self) -> str | None:
        """``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` for partly known dates, else None."""
        if self.year is None:
            return None
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    def partial(self) -> PartialDate | None:
        """As a :class:`ucauth.thaidate.PartialDate` (unknown parts ``0``), None without a year."""
        if self.year is None:
            return None
        return PartialDate(self.year, self.month or 0, (self.day or 0) if self.month else 0)

    def latest(self) -> date | None:
        """The last day this value can stand for (unknown parts taken at their largest)."""
        if self.year is None:
            return None
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def to_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return {"raw": self.raw, "iso": self.iso(), "lifetime": self.lifetime}


@dataclass(frozen=True)
class PersonName:
    """A name as the card splits it: ``prefix#first#middle#last``."""

    prefix: str
    first: str
    middle: str
    last: str

    @property
    def full(self) -> str:
        """The parts that are not empty, separated by spaces."""
        return " ".join(p for p in (self.prefix, self.first, self.middle, self.last) if p)

    def to_dict(self) -> dict[str, str]:
        """JSON-able form."""
        return {
            "prefix": self.prefix,
            "first": self.first,
            "middle": self.middle,
            "last": self.last,
            "full": self.full,
        }


@dataclass(frozen=True)
class Address:
    """The registered address: ``house#moo#soi#road#(unused)#tambon#amphoe#province``."""

    house_no: str
    moo: str
    soi: str
    road: str
    unused: str
    tambon: str
    amphoe: str
    province: str

    @property
    def full(self) -> str:
        """The parts that are not empty, separated by spaces."""
        parts = [self.house_no, self.moo, self.soi, self.road, self.unused]
        parts += [self.tambon, self.amphoe, self.province]
        return " ".join(p for p in parts if p)

    def to_dict(self) -> dict[str, str]:
        """JSON-able form."""
        return {
            "house_no": self.house_no,
            "moo": self.moo,
            "soi": self.soi,
            "road": self.road,
            "tambon": self.tambon,
            "amphoe": self.amphoe,
            "province": self.province,
            "full": self.full,
        }


@unique
class Gender(StrEnum):
    """The card's gender code: ``1`` male, ``2`` female; anything else is unknown."""

    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class NhsoData:
    """Health-insurance right data from the NHSO applet."""

    main_inscl: str
    sub_inscl: str
    main_hospital: str
    sub_hospital: str
    paid_type: str
    issue_date: BeDate
    expiry_date: BeDate
    update_date: BeDate
    change_hospital_amount: str

    def to_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return {
            "main_inscl": self.main_inscl,
            "sub_inscl": self.sub_inscl,
            "main_hospital": self.main_hospital,
            "sub_hospital": self.sub_hospital,
            "paid_type": self.paid_type,
            "issue_date": self.issue_date.to_dict(),
            "expiry_date": self.expiry_date.to_dict(),
            "update_date": self.update_date.to_dict(),
            "change_hospital_amount": self.change_hospital_amount,
        }


@dataclass(frozen=True)
class ThaiIdCardData:
    """Everything read from one Thai ID card; optional reads are None when absent or not read."""

    cid: str
    name_th: PersonName
    name_en: PersonName
    birth_date: BeDate
    gender: Gender
    issuer: str
    issuer_code: str
    issue_date: BeDate
    expiry_date: BeDate
    address: Address
    atr: bytes
    photo: bytes | None = None
    nhso: NhsoData | None = None
    laser_id: str | None = None
    chip_serial: str | None = None

    def is_expired(self, on: date) -> bool:
        """True if the card is no longer valid on ``on``.

        Lifetime cards never expire; unknown day or month count as the end of the month or year;
        an expiry date that cannot be read at all counts as expired (fail closed).
        """
        if self.expiry_date.lifetime:
            return False
        last_valid = self.expiry_date.latest()
        return last_valid is None or on > last_valid

    def digest(self) -> bytes:
        """SHA-256 over the canonical encoding of the identity fields (what a login signs).

        The encoding is compact JSON with sorted keys (UTF-8) of: the version tag, CID, both
        names' four parts, the raw birth/issue/expiry dates, the laser ID and the chip serial
        (``null`` when not read).
        """
        identity = {
            "v": DIGEST_VERSION,
            "cid": self.cid,
            "name_th": [
                self.name_th.prefix,
                self.name_th.first,
                self.name_th.middle,
                self.name_th.last,
            ],
            "name_en": [
                self.name_en.prefix,
                self.name_en.first,
                self.name_en.middle,
                self.name_en.last,
            ],
            "birth_date": self.birth_date.raw,
            "issue_date": self.issue_date.raw,
            "expiry_date": self.expiry_date.raw,
            "laser_id": self.laser_id,
            "chip_serial": self.chip_serial,
        }
        encoded = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(encoded.encode("utf-8")).digest()

    def to_dict(self) -> dict[str, object]:
        """JSON-able form for ``ucauth card read``: the photo as its size and SHA-256 only."""
        photo: dict[str, object] | None = None
        if self.photo is not None:
            photo = {"bytes": len(self.photo), "sha256": hashlib.sha256(self.photo).hexdigest()}
        return {
            "cid": self.cid,
            "name_th": self.name_th.to_dict(),
            "name_en": self.name_en.to_dict(),
            "birth_date": self.birth_date.to_dict(),
            "gender": self.gender.value,
            "issuer": self.issuer,
            "issuer_code": self.issuer_code,
            "issue_date": self.issue_date.to_dict(),
            "expiry_date": self.expiry_date.to_dict(),
            "address": self.address.to_dict(),
            "photo": photo,
            "nhso": self.nhso.to_dict() if self.nhso else None,
            "laser_id": self.laser_id,
            "chip_serial": self.chip_serial,
            "atr": self.atr.hex(" ").upper(),
            "digest": self.digest().hex(),
        }
