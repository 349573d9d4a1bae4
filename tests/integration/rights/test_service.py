from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, event, insert
from sqlalchemy.orm import Session

from tests.support.rights import PID
from ucauth.cid import complete_cid
from ucauth.db import make_engine
from ucauth.rights.beneficiary import Code
from ucauth.rights.code_tables import CodeEntry, CodeKind, replace_code_table
from ucauth.rights.models import BeneficiaryRecord
from ucauth.rights.service import find_beneficiaries, find_beneficiary
from ucauth.thaidate import PartialDate


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            insert(BeneficiaryRecord),
            {
                "person_id": PID,
                "title": "003",
                "fname": "ธนิกุล",
                "lname": "ศรีอุทิศ",
                "nation": "099",
                "primaryprovince": "1500",
                "maininscl": "UCS",
                "subinscl": "S9",  # not in the shipped table
                "hmain": "10689",  # hospitals ship empty
                "purchaseprovince": "9999",  # no such province
                "new_maininscl": "SSS",
            },
        )
    yield engine
    engine.dispose()


def test_names_come_from_the_code_tables_unknown_codes_stay_codes(engine: Engine) -> None:
    with Session(engine) as session:
        found = find_beneficiary(session, PID)
    assert found is not None and found.right is not None and found.new_right is not None
    assert found.title == Code("003", "นาย") and found.nation == Code("099", "ไทย")
    assert found.primaryprovince == Code("1500", "อ่างทอง")
    assert found.right.maininscl == Code("UCS", "สิทธิหลักประกันสุขภาพแห่งชาติ")
    assert found.right.subinscl == Code("S9") and found.right.hmain == Code("10689")
    assert found.right.purchaseprovince == Code("9999")
    assert found.right.hsub is None and found.right.startdate is None
    assert found.new_right.maininscl == Code("SSS", "สิทธิประกันสังคม")
    assert found.new_right.hmain is None


def test_a_replaced_code_table_names_codes_at_the_next_lookup(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        replace_code_table(session, CodeKind.HOSPITALS, [CodeEntry("10689", "รพ.อ่างทอง")])
    with Session(engine) as session:
        found = find_beneficiary(session, PID)
    assert found is not None and found.right is not None
    assert found.right.hmain == Code("10689", "รพ.อ่างทอง")


def test_a_lookup_is_one_query_and_nobody_is_none(engine: Engine) -> None:
    statements: list[str] = []
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        if engine.dialect.name == "sqlite":  # the statements the driver really runs
            driver.set_trace_callback(statements.append)  # type: ignore[union-attr]
        assert find_beneficiary(connection, PID) is not None
        assert find_beneficiary(connection, complete_cid("110170012345")) is None
    if engine.dialect.name == "sqlite":
        assert len(statements) == 2 and all("FROM beneficiaries" in s for s in statements)


def test_a_batch_is_one_query(engine: Engine) -> None:
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    nobody = complete_cid("110170012345")
    with Session(engine) as session:
        found = find_beneficiaries(session, [PID, nobody])
        assert len(statements) == 1
        assert list(found) == [PID] and found[PID] == find_beneficiary(session, PID)


def test_values_come_back_typed_as_sqlalchemy_gives_them(engine: Engine) -> None:
    """The lookup runs on the driver: dates, aware date-times and partial birth dates alike."""
    other = complete_cid("110170012345")
    registered = datetime(2025, 1, 20, 3, 15, 30, 123000, tzinfo=UTC)
    with Session(engine) as session:
        session.add(
            BeneficiaryRecord(
                person_id=other,
                fname="ก",
                birthdate="1977-03-00",
                startdate=date(2017, 1, 1),
                new_date_register=registered,
            )
        )  # pending, not flushed: the lookup sees it, as Session.execute would
        found = find_beneficiary(session, other)
    assert found is not None and found.birthdate == PartialDate(1977, 3)
    assert found.right is not None and found.right.startdate == date(2017, 1, 1)
    assert found.new_date_register == registered and found.new_date_register.tzinfo == UTC
