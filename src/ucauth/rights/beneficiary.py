"""What a lookup returns: a beneficiary with their rights, names resolved from the code tables.

Plain frozen dataclasses, free of the database and of any wire format; the SOAP, REST and FHIR
builders turn them into their documents. Attribute names follow ``nhsoDataSetC1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ucauth.thaidate import PartialDate


@dataclass(frozen=True, slots=True)
class Code:
    """A code and its name from the code tables; ``name`` is None when the tables have none."""

    code: str
    name: str | None = None

    @property
    def label(self) -> str:
        """What to show: the name, or the code itself when the name is unknown."""
        return self.name or self.code


@dataclass(frozen=True, slots=True)
class Right:
    """A right (current, or pending with the ``new_`` fields)."""

    maininscl: Code | None
    subinscl: Code | None
    hmain: Code | None
    hsub: Code | None
    hmain_op: Code | None
    purchaseprovince: Code | None
    startdate: date | None
    expdate: date | None
    paid_model: str | None
    mastercup_id: str | None

    def expired_on(self, day: date) -> bool:
        """True when the right ended before ``day``."""
        return self.expdate is not None and self.expdate < day


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """A person, their current right and the new right pending for them, if any."""

    person_id: str
    title: Code | None
    fname: str
    lname: str | None
    sex: str | None
    birthdate: PartialDate | None  # the day, or month and day, may be unknown
    nation: Code | None
    death_date: date | None
    primaryprovince: Code | None
    primary_amphur_name: str | None
    primary_tumbon_name: str | None
    primary_mooban_name: str | None
    primary_moo: str | None
    right: Right | None
    maininscl_main: str | None
    startdate_sss: date | None
    cardid: str | None
    new_right: Right | None
    new_date_register: datetime | None
    new_type_register: str | None
    new_type_register_desc: str | None
    new_staffname: str | None
