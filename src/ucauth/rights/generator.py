"""Synthetic beneficiaries for demos, tests and benchmarks, in the import CSV format.

Deterministic: the same number of persons and seed give the same file, on any day (dates are
drawn around the fixed ``REFERENCE_DAY``, not today). Citizen IDs are unique with valid check
digits; names are random combinations of common Thai names; rights follow a realistic mix
(mostly UCS, then SSS, OFC, LGO, WEL, others) with sub-rights that fit the person's age; some
persons have a pending new right, some an expired right, some have died. Hospitals are the
synthetic demo hospitals (``ucauth/codes/data/demo_hospitals.csv``), never real ones.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar

from ucauth.cid import complete_cid
from ucauth.codes import read_rows
from ucauth.randomness import RandomSource, SeededRandom
from ucauth.rights.code_tables import DEMO_HOSPITALS
from ucauth.rights.columns import COLUMN_NAMES
from ucauth.rights.formats import BANGKOK
from ucauth.rights.thai_names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES

REFERENCE_DAY = date(2025, 1, 31)
UC_START = date(2002, 10, 1)  # universal coverage began on 1 October 2002
# Percent of persons with an expired right, a pending new right, a death date.
EXPIRED_PERCENT, PENDING_PERCENT, DECEASED_PERCENT = 4, 5, 1
# Multiplying by a number prime to 10**11 shuffles 0..10**11-1 without collisions.
_ID_STRIDE = 7_919_349_213

T = TypeVar("T")


@dataclass(frozen=True)
class _Scheme:
    """A main right, how common it is, its sub-rights with their age ranges."""

    weight: int
    main: str
    fund_group: str  # maininscl_main: only U and S are known letters
    subs: tuple[tuple[str, int, int], ...]  # (sub-right, youngest, oldest)
    registered: bool  # has registered hospitals (UC schemes) or a main hospital only (SSS)


_SCHEMES = (
    _Scheme(600, "UCS", "U", (("89", 12, 59),), True),
    _Scheme(200, "SSS", "S", (("S1", 18, 60),), False),
    _Scheme(90, "OFC", "", tuple((f"O{i}", 0, 90) for i in range(1, 6)), False),
    _Scheme(50, "LGO", "", tuple((f"L{i}", 0, 90) for i in range(1, 7)), False),
    _Scheme(40, "WEL", "U", (("71", 0, 11), ("77", 60, 95), ("74", 18, 80), ("82", 25, 70)), True),
    _Scheme(8, "DIS", "", (("D1", 18, 80),), True),
    _Scheme(6, "SSI", "S", (("S6", 18, 60),), False),
    _Scheme(6, "PVT", "", tuple((f"P{i}", 22, 65) for i in range(1, 4)), False),
)
_TOTAL_WEIGHT = sum(s.weight for s in _SCHEMES)


@dataclass(frozen=True)
class _Hospital:
    code: str
    province: str


def _demo_hospitals() -> tuple[dict[str, list[_Hospital]], dict[str, list[_Hospital]]]:
    """The main hospitals and the health centres of each province."""
    hospitals: dict[str, list[_Hospital]] = {}
    centres: dict[str, list[_Hospital]] = {}
    for row in read_rows(DEMO_HOSPITALS):
        hospital = _Hospital(row["code"], row["province"])
        kind = centres if row["name"].startswith("รพ.สต.") else hospitals
        kind.setdefault(hospital.province, []).append(hospital)
    return hospitals, centres


class _Generator:
    def __init__(self, random: RandomSource) -> None:
        self.random = random
        self.hospitals, self.centres = _demo_hospitals()
        self.provinces = sorted(self.hospitals)
        self.id_offset = random.randbelow(10**11)

    def pick(self, items: Sequence[T]) -> T:
        return items[self.random.randbelow(len(items))]

    def percent(self, p: int) -> bool:
        return self.random.randbelow(100) < p

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.random.randbelow((last - first).days + 1))

    def scheme(self) -> _Scheme:
        draw = self.random.randbelow(_TOTAL_WEIGHT)
        for scheme in _SCHEMES:
            draw -= scheme.weight
            if draw < 0:
                return scheme
        raise AssertionError("weights exhausted")

    def right(self, scheme: _Scheme, sub: str, prefix: str, province: str) -> dict[str, str]:
        """The coded fields of a right, at a hospital in ``province`` when the scheme has one."""
        right = {f"{prefix}maininscl": scheme.main, f"{prefix}subinscl": sub}
        if scheme.main in ("OFC", "LGO", "PVT"):
            return right
        hospital = self.pick(self.hospitals[province])
        right[f"{prefix}hmain"] = hospital.code
        right[f"{prefix}purchaseprovince"] = hospital.province
        if scheme.registered:
            right[f"{prefix}hmain_op"] = hospital.code
            right[f"{prefix}hsub"] = self.pick(self.centres[hospital.province]).code
            right[f"{prefix}paid_model"] = "1"
        return right

    def person(self, index: int) -> list[str]:
        scheme = self.scheme()
        sub, youngest, oldest = self.pick(scheme.subs)
        age = youngest + self.random.randbelow(oldest - youngest + 1)
        born = date(REFERENCE_DAY.year - age, 1, 1) - timedelta(days=self.random.randbelow(365))
        male = self.percent(50)
        if age < 15:
            title = "001" if male else "002"
        else:
            title = "003" if male else self.pick(("004", "005") if age >= 25 else ("004",))
        category = "1" if born.year >= 1984 else "3"
        serial = (index * _ID_STRIDE + self.id_offset) % 10**11
        province = self.pick(self.provinces)
        row = {
            "person_id": complete_cid(f"{category}{serial:011d}"),
            "title": title,
            "fname": self.pick(MALE_GIVEN_NAMES if male else FEMALE_GIVEN_NAMES),
            "lname": self.pick(FAMILY_NAMES),
            "sex": "1" if male else "2",
            "birthdate": born.isoformat(),
            "nation": "099",
            "primaryprovince": province,
            "primary_amphur_name": f"อำเภอสาธิต {1 + self.random.randbelow(20)}",
            "primary_tumbon_name": f"ตำบลสาธิต {1 + self.random.randbelow(20)}",
            "primary_mooban_name": f"บ้านสาธิต {1 + self.random.randbelow(20)}",
            "primary_moo": f"{1 + self.random.randbelow(15):02d}",
            "maininscl_main": scheme.fund_group,
            **self.right(scheme, sub, "", province),
        }
        start = self.day_between(max(born, UC_START), REFERENCE_DAY - timedelta(days=30))
        row["startdate"] = start.isoformat()
        if scheme.main in ("SSS", "SSI"):
            row["startdate_sss"] = row["startdate"]
        if self.percent(DECEASED_PERCENT):
            died = self.day_between(start, REFERENCE_DAY - timedelta(days=1))
            row["death_date"] = row["expdate"] = died.isoformat()
        elif self.percent(EXPIRED_PERCENT):
            row["expdate"] = self.day_between(start, REFERENCE_DAY - timedelta(days=1)).isoformat()
        elif self.percent(PENDING_PERCENT):
            row.update(self.pending(scheme, sub, age, province))
        return [row.get(name, "") for name in COLUMN_NAMES]

    def pending(self, scheme: _Scheme, sub: str, age: int, province: str) -> dict[str, str]:
        """A new right: a move to another hospital, or from a non-UC scheme to UC."""
        if not scheme.registered:
            scheme = _SCHEMES[0] if 12 <= age <= 59 else _SCHEMES[4]
            sub = "89" if scheme.main == "UCS" else ("71" if age < 12 else "77")
        start = self.day_between(REFERENCE_DAY - timedelta(days=30), REFERENCE_DAY + timedelta(30))
        registered = datetime.combine(
            start - timedelta(days=1 + self.random.randbelow(14)),
            time(8 + self.random.randbelow(8), self.random.randbelow(60)),
            BANGKOK,
        )
        return {
            **self.right(scheme, sub, "new_", province),
            "new_startdate": start.isoformat(),
            "new_date_register": registered.isoformat(),
        }


def generate(persons: int, random: RandomSource) -> Iterator[list[str]]:
    """``persons`` rows in ``COLUMN_NAMES`` order."""
    generator = _Generator(random)
    for index in range(persons):
        yield generator.person(index)


def write_csv(path: Path, persons: int, seed: int) -> None:
    """Write ``persons`` synthetic beneficiaries (header included) to ``path``."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMN_NAMES)
        writer.writerows(generate(persons, SeededRandom(seed)))
