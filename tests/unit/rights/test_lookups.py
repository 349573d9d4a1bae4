"""The one lookup path of every channel: find, request id, audit record committed first."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from tests.support.rights import PID, SAMPLE_ROW, audit_refused, store
from ucauth.audit.errors import AuditUnavailableError
from ucauth.audit.service import Action, events
from ucauth.audit.writer import AuditWriter, Stamped
from ucauth.cid import complete_cid
from ucauth.clock import FixedClock
from ucauth.rights.callers import Caller
from ucauth.rights.errors import InvalidPatientIdError
from ucauth.rights.ids import RequestIds
from ucauth.rights.lookups import Channel, Lookup, Lookups
from ucauth.server.database import Database

AT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
STAFF = Caller("1101700230705", "10670", 7)
NOBODY = complete_cid("110170012345")  # valid, not in the registry


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    store(database_url, SAMPLE_ROW)
    database = Database(database_url, pool_size=2)
    yield database
    asyncio.run(database.dispose())


@pytest.fixture
def lookups(database: Database) -> Lookups:
    ids = RequestIds(database.engine)
    return Lookups(database, AuditWriter(database.store_audit), ids, FixedClock(AT))


def _lookup_audit(session: Session) -> list[dict[str, Any]]:
    names = "at actor unit_hcode agent_id subject_cid channel wsid reason outcome client_address"
    found = reversed(events(session, actions=[Action.RIGHTS_LOOKUP], limit=None))
    return [{name: getattr(e, name) for name in [*names.split(), "details"]} for e in found]


def test_a_lookup_is_audited_with_all_r9_asks_for(lookups: Lookups, session: Session) -> None:
    found = asyncio.run(lookups.one(STAFF, PID, channel=Channel.SOAP, client_address="10.1.2.3"))
    nobody = asyncio.run(lookups.one(STAFF, NOBODY, channel=Channel.WEB, client_address="10.1.2.4"))
    assert found.beneficiary is not None and found.beneficiary.fname == "ธนิกุล"
    assert (found.person_id, found.at) == (PID, AT) and found.wsid.startswith("WS")
    assert nobody.beneficiary is None and nobody.wsid != found.wsid
    who = {"at": AT, "actor": STAFF.actor, "unit_hcode": "10670", "agent_id": 7}
    assert _lookup_audit(session) == [
        {**who, "subject_cid": PID, "channel": "soap", "wsid": found.wsid, "reason": "found"}
        | {"outcome": "success", "client_address": "10.1.2.3", "details": None},
        {**who, "subject_cid": NOBODY, "channel": "web", "wsid": nobody.wsid}
        | {"reason": "not_found", "outcome": "success", "client_address": "10.1.2.4"}
        | {"details": None},
    ]


@pytest.mark.parametrize("pid", ["", "3150300174301", "315030017430", "๓150300174300", "x" * 100])
def test_an_invalid_id_is_refused_and_nothing_is_written(
    lookups: Lookups, session: Session, pid: str
) -> None:
    with pytest.raises(InvalidPatientIdError):
        asyncio.run(lookups.one(STAFF, pid, channel=Channel.REST, client_address="10.1.2.3"))
    assert _lookup_audit(session) == []


def test_a_batch_is_one_query_and_one_audit_insert(database: Database, session: Session) -> None:
    statements: list[str] = []
    groups: list[int] = []  # the events of each audit commit

    def note(*args: Any) -> None:
        statements.append(args[2])

    async def store(group: Sequence[Stamped]) -> None:
        groups.append(len(group))
        await database.store_audit(group)

    lookups = Lookups(database, AuditWriter(store), RequestIds(database.engine), FixedClock(AT))
    asked = [NOBODY, "123", PID, PID]
    event.listen(Engine, "before_cursor_execute", note)  # every engine
    try:
        batch = asyncio.run(
            lookups.many(STAFF, asked, channel=Channel.BATCH, client_address="10.1.2.3")
        )
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert [pid for pid, _ in batch.items] == asked
    lookups_made = [item for _, item in batch.items if isinstance(item, Lookup)]
    assert [item.beneficiary is not None for item in lookups_made] == [False, True, True]
    assert isinstance(batch.items[1][1], InvalidPatientIdError)
    assert batch.wsid_batch.startswith("WSB") and batch.at == AT
    beneficiary_reads = [s for s in statements if "FROM beneficiaries" in s]
    assert len(beneficiary_reads) == 1 and groups == [3]
    audited = _lookup_audit(session)
    assert [
        (row["subject_cid"], row["channel"], row["wsid"], row["reason"]) for row in audited
    ] == [
        (item.person_id, "batch", item.wsid, "found" if item.beneficiary else "not_found")
        for item in lookups_made
    ]
    assert {row["details"]["wsid_batch"] for row in audited} == {batch.wsid_batch}


def test_no_answer_when_the_audit_cannot_be_committed(
    lookups: Lookups, database_url: str, session: Session
) -> None:
    with audit_refused(database_url), pytest.raises(AuditUnavailableError):
        asyncio.run(lookups.one(STAFF, PID, channel=Channel.FHIR, client_address="10.1.2.3"))
    assert _lookup_audit(session) == []


def test_a_batch_has_at_most_1000_ids(lookups: Lookups) -> None:
    with pytest.raises(ValueError, match="1000"):
        asyncio.run(lookups.many(STAFF, [PID] * 1001, channel=Channel.BATCH, client_address="x"))
