"""Helpers for the rights tests: sample beneficiaries, CSV files, stored rows, a refusing
audit table."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from ucauth.db import make_engine
from ucauth.rights.beneficiary import Beneficiary, Code, Right
from ucauth.rights.columns import COLUMN_NAMES
from ucauth.rights.models import BeneficiaryRecord
from ucauth.thaidate import PartialDate

PID = "3150300174300"  # valid check digit

CURRENT = Right(
    maininscl=Code("UCS", "สิทธิหลักประกันสุขภาพแห่งชาติ"),
    subinscl=Code("89", "ช่วงอายุ 12-59 ปี"),
    hmain=Code("10689", "รพ.อ่างทอง"),
    hsub=None,
    hmain_op=Code("10689", "รพ.อ่างทอง"),
    purchaseprovince=Code("1500", "อ่างทอง"),
    startdate=date(2017, 1, 1),
    expdate=None,
    paid_model="1",
    mastercup_id=None,
)

SAMPLE = Beneficiary(
    person_id=PID,
    title=Code("003", "นาย"),
    fname="ธนิกุล",
    lname="ศรีอุทิศ",
    sex="1",
    birthdate=PartialDate(1983, 9, 12),
    nation=Code("099", "ไทย"),
    death_date=None,
    primaryprovince=Code("1500", "อ่างทอง"),
    primary_amphur_name="ป่าโมก",
    primary_tumbon_name="สายทอง",
    primary_mooban_name="บ้านคลองคะเชนทร์",
    primary_moo="05",
    right=CURRENT,
    maininscl_main="U",
    startdate_sss=None,
    cardid=None,
    new_right=None,
    new_date_register=None,
    new_type_register=None,
    new_type_register_desc=None,
    new_staffname=None,
)

PENDING = replace(
    SAMPLE,
    new_right=replace(
        CURRENT, hmain=Code("11582"), hmain_op=Code("11582"), startdate=date(2025, 2, 1)
    ),
    new_date_register=datetime(2025, 1, 20, 3, 15, tzinfo=UTC),
)


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    """A CSV file with ``header`` (default: every column) and rows given as dicts."""
    header = header or list(COLUMN_NAMES)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([row.get(name, "") for name in header] for row in rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as source:
        return list(csv.DictReader(source))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def normalized(row: dict[str, str]) -> dict[str, str]:
    """A CSV row as stored: every column, the date-time in UTC."""
    result = {name: row.get(name, "") for name in COLUMN_NAMES}
    if result["new_date_register"]:
        moment = datetime.fromisoformat(result["new_date_register"])
        result["new_date_register"] = moment.astimezone(UTC).isoformat()
    return result


def stored_rows(url: str) -> dict[str, dict[str, str]]:
    """Every stored beneficiary as text columns, by person_id."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(BeneficiaryRecord.__table__)).mappings().all()
    finally:
        engine.dispose()
    return {row["person_id"]: {name: _text(row[name]) for name in COLUMN_NAMES} for row in rows}


# SAMPLE as stored (codes only; names come from the code tables at lookup time).
SAMPLE_ROW: dict[str, object] = {
    "person_id": PID,
    "title": "003",
    "fname": "ธนิกุล",
    "lname": "ศรีอุทิศ",
    "sex": "1",
    "birthdate": "1983-09-12",
    "nation": "099",
    "primaryprovince": "1500",
    "primary_amphur_name": "ป่าโมก",
    "primary_tumbon_name": "สายทอง",
    "primary_mooban_name": "บ้านคลองคะเชนทร์",
    "primary_moo": "05",
    "maininscl": "UCS",
    "subinscl": "89",
    "hmain": "10689",
    "hmain_op": "10689",
    "purchaseprovince": "1500",
    "startdate": date(2017, 1, 1),
    "paid_model": "1",
    "maininscl_main": "U",
}


def store(url: str, *rows: dict[str, object]) -> None:
    """Insert beneficiary rows (column name to value) into the database at ``url``."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(insert(BeneficiaryRecord), list(rows))
    finally:
        engine.dispose()


_REFUSE_SQLITE = [
    "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END"
]
_REFUSE_POSTGRESQL = [
    "CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit refused by the test'; END $$",
    "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()",
]


@contextmanager
def audit_refused(url: str) -> Iterator[None]:
    """While inside, the database refuses every insert into the audit table (a real failure
    of the commit that carries it)."""
    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        for statement in _REFUSE_POSTGRESQL if postgres else _REFUSE_SQLITE:
            connection.exec_driver_sql(statement)
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "DROP TRIGGER test_refuse_audit" + (" ON audit_events" if postgres else "")
            )
            if postgres:
                connection.exec_driver_sql("DROP FUNCTION test_refuse_audit()")
        engine.dispose()
