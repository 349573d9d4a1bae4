from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from tests.support.rights import CURRENT, PENDING, PID, SAMPLE
from ucauth.rights.beneficiary import Code
from ucauth.rights.fhir import CITIZEN_ID_SYSTEM, coverage_bundle

NOW = datetime(2025, 1, 31, 20, 0, tzinfo=UTC)  # already 1 February in Bangkok


def _valid(bundle: dict[str, Any]) -> Bundle:
    """Validated by the FHIR models (R4B, whose Bundle and Coverage are R4's)."""
    return Bundle.model_validate(bundle)


def _coverages(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in bundle.get("entry", [])]


def test_an_active_coverage_for_the_current_right() -> None:
    bundle = coverage_bundle(SAMPLE, now=NOW)
    model = _valid(bundle)
    assert model.type == "searchset" and model.total == 1
    (coverage,) = _coverages(bundle)
    assert coverage["status"] == "active"
    assert coverage["beneficiary"]["identifier"] == {"system": CITIZEN_ID_SYSTEM, "value": PID}
    assert coverage["beneficiary"]["display"] == "นาย ธนิกุล ศรีอุทิศ"
    assert coverage["type"]["coding"][0]["code"] == "UCS"
    assert coverage["payor"][0]["display"] == "สิทธิหลักประกันสุขภาพแห่งชาติ"
    assert coverage["class"][0]["value"] == "89"
    assert coverage["period"] == {"start": "2017-01-01"}
    hospitals = [e["valueReference"]["identifier"]["value"] for e in coverage["extension"]]
    assert hospitals == ["10689", "10689", "1500"]


def test_expired_deceased_and_pending_rights() -> None:
    expired = replace(SAMPLE, right=replace(CURRENT, expdate=date(2025, 1, 31)))
    assert _coverages(coverage_bundle(expired, now=NOW))[0]["status"] == "cancelled"
    died = replace(SAMPLE, death_date=date(2024, 1, 1))
    assert _coverages(coverage_bundle(died, now=NOW))[0]["status"] == "cancelled"
    bundle = coverage_bundle(PENDING, now=NOW)
    _valid(bundle)
    assert [c["status"] for c in _coverages(bundle)] == ["active", "draft"]


def test_unnamed_codes_carry_no_display_and_nobody_found_is_an_empty_bundle() -> None:
    odd = replace(SAMPLE, right=replace(CURRENT, maininscl=Code("XYZ"), subinscl=None, hmain=None))
    bundle = coverage_bundle(odd, now=NOW)
    _valid(bundle)
    (coverage,) = _coverages(bundle)
    assert coverage["type"]["coding"][0] == {"system": "urn:ucauth:nhso:maininscl", "code": "XYZ"}
    assert "class" not in coverage
    empty = coverage_bundle(None, now=NOW)
    assert _valid(empty).total == 0 and "entry" not in empty
    assert coverage_bundle(replace(SAMPLE, right=None), now=NOW)["total"] == 0
