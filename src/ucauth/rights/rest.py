"""The SRM-style JSON of ``GET /api/ucws/v1/right-search?pid=``, as pydantic models.

Shape of NHSO's SRM service: top-level person fields and ``funds[]`` (here the current right;
a pending new right is not a fund yet). Formats: ``birthDate`` and ``deathDate`` as Thai text
dates with a Buddhist-Era year (``12 กันยายน 2526``; unknown parts of a birth date left out:
``2520``); ``checkDate`` ISO-8601 at +07:00;
``startDateTime`` / ``expireDateTime`` local ISO without offset, the day's first and last
second. A name the code tables lack is shown as its code. Fields whose meaning is not known
from public sources (``transDate``, ``fundType``, ``relation``) are null.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from ucauth.rights.beneficiary import Beneficiary, Code, Right
from ucauth.rights.formats import bangkok_iso
from ucauth.thaidate import PartialDate, thai_long_date

SEX_NAMES = {"1": "ชาย", "2": "หญิง"}


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class IdName(_Model):
    id: str
    name: str


class Hospital(_Model):
    hcode: str
    hname: str


class Fund(_Model):
    trans_date: str | None = None
    fund_type: str | None = None
    main_inscl: IdName | None
    sub_inscl: IdName | None
    start_date_time: str | None
    expire_date_time: str | None
    paid_model: str | None
    hosp_main: Hospital | None
    hosp_sub: Hospital | None
    hosp_main_op: Hospital | None
    purchase_province: IdName | None
    relation: str | None = None
    card_id: str | None


class RightSearchResponse(_Model):
    pid: str
    tname: str | None
    fname: str
    lname: str | None
    nation: IdName | None
    sex: IdName | None
    birth_date: str | None
    death_date: str | None
    check_date: str
    funds: list[Fund]


def right_search_response(beneficiary: Beneficiary, *, checked_at: datetime) -> RightSearchResponse:
    """The JSON document for a beneficiary found at ``checked_at`` (aware)."""
    b = beneficiary
    sex = IdName(id=b.sex, name=SEX_NAMES.get(b.sex, b.sex)) if b.sex else None
    return RightSearchResponse(
        pid=b.person_id,
        tname=b.title.label if b.title else None,
        fname=b.fname,
        lname=b.lname,
        nation=_id_name(b.nation),
        sex=sex,
        birth_date=_thai_date(b.birthdate),
        death_date=_thai_date(b.death_date),
        check_date=bangkok_iso(checked_at),
        funds=[] if b.right is None else [_fund(b.right, b.cardid)],
    )


def _fund(right: Right, card_id: str | None) -> Fund:
    return Fund(
        main_inscl=_id_name(right.maininscl),
        sub_inscl=_id_name(right.subinscl),
        start_date_time=f"{right.startdate.isoformat()}T00:00:00" if right.startdate else None,
        expire_date_time=f"{right.expdate.isoformat()}T23:59:59" if right.expdate else None,
        paid_model=right.paid_model,
        hosp_main=_hospital(right.hmain),
        hosp_sub=_hospital(right.hsub),
        hosp_main_op=_hospital(right.hmain_op),
        purchase_province=_id_name(right.purchaseprovince),
        card_id=card_id,
    )


def _id_name(coded: Code | None) -> IdName | None:
    return None if coded is None else IdName(id=coded.code, name=coded.label)


def _hospital(coded: Code | None) -> Hospital | None:
    return None if coded is None else Hospital(hcode=coded.code, hname=coded.label)


def _thai_date(day: date | PartialDate | None) -> str | None:
    return None if day is None else thai_long_date(day)
