"""JSON documents of the NHSO-agent-compatible card API (``/api/smartcard/...``).

Field names and formats of the NHSO Secure Smart Card Agent's ``/api/smartcard/read``: BE
``YYYYMMDD`` birth date, Thai sex and age text, local ISO-8601 times without offset, rights as
``(CODE) name`` strings and hospitals as ``{hcode, hname}``.
"""

from __future__ import annotations

import base64
import calendar
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from ucauth.card.events import ReaderState
from ucauth.card.model import BeDate, Gender, ThaiIdCardData
from ucauth.codes import read_rows
from ucauth.rights.rest import Hospital, IdName, RightSearchResponse

THAI_NATION = "099"
SEX = {Gender.MALE: "ชาย", Gender.FEMALE: "หญิง"}
DEFAULT_CLAIM_TYPE = {
    "claimType": "PG0060001",
    "claimTypeName": "เข้ารับบริการรักษาทั่วไป (OPD/ IPD/ PP)",
}
LOCAL_ISO_LENGTH = len("2021-03-16T13:11:56")


def terminals_document(states: list[ReaderState]) -> list[dict[str, object]]:
    return [{"terminalName": s.reader, "isPresent": s.present} for s in states]


@cache
def _title_codes() -> dict[str, str]:
    return {row["name"]: row["code"] for row in read_rows("titles")}


def _add_months(day: date, months: int) -> date:
    """``day`` moved by ``months``, its day of month clamped to the target month's length."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def thai_age(birth: BeDate, today: date) -> str | None:
    """``20 ปี 7 เดือน 18 วัน``; only the parts the birth date knows."""
    if birth.year is None:
        return None
    if birth.month is None:
        return f"{today.year - birth.year} ปี"
    born = date(birth.year, birth.month, birth.day or 1)
    months = (today.year - born.year) * 12 + today.month - born.month
    if _add_months(born, months) > today:
        months -= 1
    years, months = divmod(months, 12)
    text = f"{years} ปี {months} เดือน"
    if birth.day is None:
        return text
    return f"{text} {(today - _add_months(born, 12 * years + months)).days} วัน"


def card_document(
    card: ThaiIdCardData, *, image: bool, now: datetime, zone: ZoneInfo, correlation_id: str
) -> dict[str, object]:
    """What ``/api/smartcard/read-card-only`` answers."""
    prefix = card.name_th.prefix
    return {
        "pid": card.cid,
        "titleName": _title_codes().get(prefix, prefix),
        "fname": " ".join(p for p in (card.name_th.first, card.name_th.middle) if p),
        "lname": card.name_th.last,
        "nation": THAI_NATION,
        "birthDate": card.birth_date.raw,
        "sex": SEX.get(card.gender, ""),
        "age": thai_age(card.birth_date, now.astimezone(zone).date()),
        "image": base64.b64encode(card.photo).decode("ascii") if image and card.photo else None,
        "correlationId": correlation_id,
    }


def _coded(value: IdName | None) -> str | None:
    return None if value is None else f"({value.id}) {value.name}"


def _hospital(value: Hospital | None) -> dict[str, str] | None:
    return None if value is None else {"hcode": value.hcode, "hname": value.hname}


def rights_document(
    rights: RightSearchResponse | None, *, now: datetime, zone: ZoneInfo
) -> dict[str, object]:
    """The rights fields ``/api/smartcard/read`` adds (null when the registry has nobody)."""
    fund = rights.funds[0] if rights is not None and rights.funds else None
    checked = rights.check_date if rights is not None else now.astimezone(zone).isoformat()
    return {
        "checkDate": checked[:LOCAL_ISO_LENGTH],
        "transDate": fund.trans_date if fund else None,
        "mainInscl": _coded(fund.main_inscl) if fund else None,
        "subInscl": _coded(fund.sub_inscl) if fund else None,
        "startDateTime": fund.start_date_time if fund else None,
        "expireDateTime": fund.expire_date_time if fund else None,
        "hospMain": _hospital(fund.hosp_main) if fund else None,
        "hospSub": _hospital(fund.hosp_sub) if fund else None,
        "hospMainOp": _hospital(fund.hosp_main_op) if fund else None,
        "paidModel": fund.paid_model if fund else None,
        "claimTypes": [DEFAULT_CLAIM_TYPE] if fund else [],
    }
