"""Looking up beneficiaries: the hot path behind every SOAP, REST and FHIR rights check.

One query by primary key, each code's name a scalar subquery. A single lookup runs it straight
on the DB-API connection (``ucauth.db.DriverQuery``): SQLAlchemy's execution layer (and
psycopg's column descriptions) cost three times the query itself. A lookup whose caller sends
a staff token checks it in the same query (:func:`authenticate_and_find`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select

from ucauth.codes import provinces
from ucauth.db import Db, DriverQuery, Reader
from ucauth.rights.beneficiary import Beneficiary, Code, Right
from ucauth.rights.code_tables import CodeKind
from ucauth.rights.models import BeneficiaryRecord, CodeName
from ucauth.thaidate import PartialDate
from ucauth.tokens.service import (
    AUTHENTICATE_QUERY,
    AuthenticatedUser,
    TokenConfig,
    authenticate_reading,
)

# Coded columns whose names come from the code tables, and the table of each.
NAMED_COLUMNS: dict[str, CodeKind] = {
    "title": CodeKind.TITLES,
    "nation": CodeKind.NATIONS,
    **{
        f"{prefix}{column}": kind
        for prefix in ("", "new_")
        for column, kind in (
            ("maininscl", CodeKind.MAIN_RIGHTS),
            ("subinscl", CodeKind.SUB_RIGHTS),
            ("hmain", CodeKind.HOSPITALS),
            ("hsub", CodeKind.HOSPITALS),
            ("hmain_op", CodeKind.HOSPITALS),
        )
    },
}
NAME_SUFFIX = "__name"
EMPTY_RIGHT = Right(None, None, None, None, None, None, None, None, None, None)


def _lookup_statement() -> Select[Any]:
    """Beneficiaries by primary key, each name a scalar subquery on the code table's key."""
    table = BeneficiaryRecord.__table__
    names = [
        select(CodeName.name)
        .where(CodeName.kind == kind.value, CodeName.code == table.c[column])
        .scalar_subquery()
        .label(column + NAME_SUFFIX)
        for column, kind in NAMED_COLUMNS.items()
    ]
    return select(*table.c, *names)


_PERSON_ID = BeneficiaryRecord.__table__.c.person_id
LOOKUP = _lookup_statement().where(bindparam("person_id") == _PERSON_ID)
LOOKUP_MANY = _lookup_statement().where(_PERSON_ID.in_(bindparam("person_ids", expanding=True)))


_FIND = DriverQuery(LOOKUP)
# A staff member's credentials and a person, in one query: the token check's row plus the
# beneficiary's columns (all None when nobody has the ID).
_AUTHENTICATE_AND_FIND = DriverQuery(
    AUTHENTICATE_QUERY.add_columns(*_lookup_statement().selected_columns).outerjoin(
        BeneficiaryRecord, bindparam("person_id") == _PERSON_ID
    )
)


def find_beneficiary(db: Db, person_id: str) -> Beneficiary | None:
    """The beneficiary with this citizen ID, or None; the caller validates the ID first."""
    row = _FIND.first(db, {"person_id": person_id})
    return None if row is None else _beneficiary(row._asdict())


async def find_beneficiary_batched(reader: Reader, person_id: str) -> Beneficiary | None:
    """:func:`find_beneficiary` for async code: the query goes with concurrent ones."""
    row = await reader.fetch(_FIND, {"person_id": person_id})
    return None if row is None else _beneficiary(row._asdict())


async def authenticate_and_find(
    reader: Reader,
    config: TokenConfig,
    cid: str,
    token: str,
    person_id: str,
    *,
    now: datetime,
    client_address: str,
) -> tuple[AuthenticatedUser, Beneficiary | None]:
    """The staff member whose token this is (:func:`ucauth.tokens.service.authenticate`, and
    what it raises) and the beneficiary with the (valid) citizen ID ``person_id``, in one
    query."""
    user, row = await authenticate_reading(
        reader,
        config,
        cid,
        token,
        _AUTHENTICATE_AND_FIND,
        {"person_id": person_id},
        now=now,
        client_address=client_address,
    )
    return user, None if row.person_id is None else _beneficiary(row._asdict())


def find_beneficiaries(db: Db, person_ids: Collection[str]) -> dict[str, Beneficiary]:
    """The beneficiaries among these (valid) citizen IDs, by ID, in one query."""
    if not person_ids:
        return {}
    rows = db.execute(LOOKUP_MANY, {"person_ids": list(person_ids)}).mappings()
    return {row["person_id"]: _beneficiary(row) for row in rows}


Row = Mapping[Any, Any]


def _named(row: Row, column: str) -> Code | None:
    code = row[column]
    return None if code is None else Code(code, row[column + NAME_SUFFIX])


def _province(code: str | None) -> Code | None:
    if code is None:
        return None
    province = provinces().get(code)
    return Code(code, province.name_th if province else None)


def _right(row: Row, prefix: str) -> Right | None:
    right = Right(
        maininscl=_named(row, f"{prefix}maininscl"),
        subinscl=_named(row, f"{prefix}subinscl"),
        hmain=_named(row, f"{prefix}hmain"),
        hsub=_named(row, f"{prefix}hsub"),
        hmain_op=_named(row, f"{prefix}hmain_op"),
        purchaseprovince=_province(row[f"{prefix}purchaseprovince"]),
        startdate=row[f"{prefix}startdate"],
        expdate=row[f"{prefix}expdate"],
        paid_model=row[f"{prefix}paid_model"],
        mastercup_id=row[f"{prefix}mastercup_id"],
    )
    return None if right == EMPTY_RIGHT else right


def _partial_date(text: str | None) -> PartialDate | None:
    return None if text is None else PartialDate.from_iso(text)


def _beneficiary(row: Row) -> Beneficiary:
    return Beneficiary(
        person_id=row["person_id"],
        title=_named(row, "title"),
        fname=row["fname"],
        lname=row["lname"],
        sex=row["sex"],
        birthdate=_partial_date(row["birthdate"]),
        nation=_named(row, "nation"),
        death_date=row["death_date"],
        primaryprovince=_province(row["primaryprovince"]),
        primary_amphur_name=row["primary_amphur_name"],
        primary_tumbon_name=row["primary_tumbon_name"],
        primary_mooban_name=row["primary_mooban_name"],
        primary_moo=row["primary_moo"],
        right=_right(row, ""),
        maininscl_main=row["maininscl_main"],
        startdate_sss=row["startdate_sss"],
        cardid=row["cardid"],
        new_right=_right(row, "new_"),
        new_date_register=row["new_date_register"],
        new_type_register=row["new_type_register"],
        new_type_register_desc=row["new_type_register_desc"],
        new_staffname=row["new_staffname"],
    )
