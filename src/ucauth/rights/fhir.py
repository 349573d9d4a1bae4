"""FHIR R4 Coverage resources for a citizen ID, in a ``searchset`` Bundle (plain JSON dicts).

One Coverage per right that has a main right code: the current right (``active``, or
``cancelled`` when it has expired or the person has died) and the pending new right
(``draft``). The main right is the Coverage ``type`` and its ``payor`` (the fund), the sub
right a ``subplan`` class, the hospitals and the purchasing province extensions. Code systems
and extensions are ucauth's own URNs: no national FHIR identifiers exist for them yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ucauth.rights.beneficiary import Beneficiary, Code, Right
from ucauth.rights.formats import bangkok_iso, bangkok_today

SYSTEM = "urn:ucauth:nhso:"
CITIZEN_ID_SYSTEM = SYSTEM + "citizen-id"
MAIN_RIGHT_SYSTEM = SYSTEM + "maininscl"
SUB_RIGHT_SYSTEM = SYSTEM + "subinscl"
HOSPITAL_SYSTEM = SYSTEM + "hcode"
PROVINCE_SYSTEM = SYSTEM + "province"
EXTENSION = "urn:ucauth:fhir:StructureDefinition:coverage-"
COVERAGE_CLASS_SYSTEM = "http://terminology.hl7.org/CodeSystem/coverage-class"
_PLACES = (
    ("hmain", "hospital-main", HOSPITAL_SYSTEM),
    ("hsub", "hospital-sub", HOSPITAL_SYSTEM),
    ("hmain_op", "hospital-main-op", HOSPITAL_SYSTEM),
    ("purchaseprovince", "purchase-province", PROVINCE_SYSTEM),
)


def coverage_bundle(beneficiary: Beneficiary | None, *, now: datetime) -> dict[str, Any]:
    """The Bundle for a lookup at ``now`` (aware); empty when nobody was found."""
    coverages = [] if beneficiary is None else _coverages(beneficiary, now)
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": bangkok_iso(now),
        "total": len(coverages),
    }
    if coverages:
        bundle["entry"] = [{"resource": c, "search": {"mode": "match"}} for c in coverages]
    return bundle


def _coverages(b: Beneficiary, now: datetime) -> list[dict[str, Any]]:
    coverages = []
    if b.right is not None and b.right.maininscl is not None:
        ended = b.death_date is not None or b.right.expired_on(bangkok_today(now))
        status = "cancelled" if ended else "active"
        coverages.append(_coverage(b, b.right, b.right.maininscl, "current", status))
    if b.new_right is not None and b.new_right.maininscl is not None:
        coverages.append(_coverage(b, b.new_right, b.new_right.maininscl, "new", "draft"))
    return coverages


def _coverage(b: Beneficiary, right: Right, main: Code, which: str, status: str) -> dict[str, Any]:
    title = b.title.label if b.title else None
    names = " ".join(part for part in (title, b.fname, b.lname) if part)
    coverage: dict[str, Any] = {
        "resourceType": "Coverage",
        "id": f"{b.person_id}-{which}",
        "status": status,
        "type": {"coding": [_coding(MAIN_RIGHT_SYSTEM, main)]},
        "subscriberId": b.person_id,
        "beneficiary": {
            "identifier": {"system": CITIZEN_ID_SYSTEM, "value": b.person_id},
            "display": names,
        },
        "payor": [_reference(MAIN_RIGHT_SYSTEM, main)],
    }
    period = {"start": right.startdate, "end": right.expdate}
    if any(period.values()):
        coverage["period"] = {key: day.isoformat() for key, day in period.items() if day}
    if right.subinscl is not None:
        subplan = {"coding": [{"system": COVERAGE_CLASS_SYSTEM, "code": "subplan"}]}
        sub_class = {"type": subplan, "value": right.subinscl.code}
        if right.subinscl.name:
            sub_class["name"] = right.subinscl.name
        coverage["class"] = [sub_class]
    extensions = [
        {"url": EXTENSION + url, "valueReference": _reference(system, coded)}
        for attribute, url, system in _PLACES
        if (coded := getattr(right, attribute)) is not None
    ]
    if extensions:
        coverage["extension"] = extensions
    return coverage


def _coding(system: str, coded: Code) -> dict[str, str]:
    coding = {"system": system, "code": coded.code}
    if coded.name:
        coding["display"] = coded.name
    return coding


def _reference(system: str, coded: Code) -> dict[str, Any]:
    reference: dict[str, Any] = {"identifier": {"system": system, "value": coded.code}}
    if coded.name:
        reference["display"] = coded.name
    return reference
