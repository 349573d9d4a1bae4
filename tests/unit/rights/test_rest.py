from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from tests.support.rights import CURRENT, PENDING, PID, SAMPLE
from ucauth.rights.beneficiary import Beneficiary, Code
from ucauth.rights.rest import RightSearchResponse, right_search_response

AT = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)


def _json(beneficiary: Beneficiary = SAMPLE) -> dict[str, Any]:
    response = right_search_response(beneficiary, checked_at=AT)
    return response.model_dump(mode="json", by_alias=True)


def test_the_srm_shape_with_camel_case_names() -> None:
    assert _json() == {
        "pid": PID,
        "tname": "นาย",
        "fname": "ธนิกุล",
        "lname": "ศรีอุทิศ",
        "nation": {"id": "099", "name": "ไทย"},
        "sex": {"id": "1", "name": "ชาย"},
        "birthDate": "12 กันยายน 2526",
        "deathDate": None,
        "checkDate": "2024-05-01T10:00:00+07:00",
        "funds": [
            {
                "transDate": None,
                "fundType": None,
                "mainInscl": {"id": "UCS", "name": "สิทธิหลักประกันสุขภาพแห่งชาติ"},
                "subInscl": {"id": "89", "name": "ช่วงอายุ 12-59 ปี"},
                "startDateTime": "2017-01-01T00:00:00",
                "expireDateTime": None,
                "paidModel": "1",
                "hospMain": {"hcode": "10689", "hname": "รพ.อ่างทอง"},
                "hospSub": None,
                "hospMainOp": {"hcode": "10689", "hname": "รพ.อ่างทอง"},
                "purchaseProvince": {"id": "1500", "name": "อ่างทอง"},
                "relation": None,
                "cardId": None,
            }
        ],
    }


def test_unknown_names_show_codes_and_a_death_and_an_end_date() -> None:
    right = replace(CURRENT, maininscl=Code("XYZ"), expdate=date(2024, 2, 29))
    body = _json(
        replace(SAMPLE, right=right, death_date=date(2024, 2, 29), sex="2", title=Code("099"))
    )
    assert body["tname"] == "099" and body["sex"] == {"id": "2", "name": "หญิง"}
    assert body["deathDate"] == "29 กุมภาพันธ์ 2567"
    fund = body["funds"][0]
    assert fund["mainInscl"] == {"id": "XYZ", "name": "XYZ"}
    assert fund["expireDateTime"] == "2024-02-29T23:59:59"


def test_no_right_no_funds_and_a_pending_right_is_not_a_fund() -> None:
    assert _json(replace(SAMPLE, right=None))["funds"] == []
    pending = right_search_response(PENDING, checked_at=AT).model_dump(by_alias=True)
    assert len(pending["funds"]) == 1
    assert pending["funds"][0]["hospMain"]["hcode"] == "10689"


def test_the_openapi_schema_uses_the_wire_names() -> None:
    schema = RightSearchResponse.model_json_schema(by_alias=True)
    assert {"pid", "birthDate", "checkDate", "funds"} <= set(schema["properties"])
    assert {"hospMainOp", "purchaseProvince", "cardId"} <= set(
        schema["$defs"]["Fund"]["properties"]
    )
