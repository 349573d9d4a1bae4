from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from ucauth.audit.models import AuditEvent
from ucauth.audit.service import Event, Outcome, events, events_query, record, record_bulk
from ucauth.db import make_engine

AT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
CID = "1101700230705"


def test_record_and_query(session: Session) -> None:
    record(session, AT, Event("login", actor=CID, subject_cid=CID, agent_id=3, details={"a": 1}))
    record(
        session,
        AT + timedelta(minutes=1),
        Event("rights_lookup", actor=CID, subject_cid="3100600192003", client_address="10.0.0.1"),
        Event("verify", actor="anonymous", outcome=Outcome.FAILURE, reason="wrong_token"),
    )
    session.commit()
    newest_first = events(session)
    assert [e.action for e in newest_first] == ["verify", "rights_lookup", "login"]
    assert [e.action for e in events(session, actor=CID)] == ["rights_lookup", "login"]
    assert events(session, subject_cid="3100600192003")[0].client_address == "10.0.0.1"
    login = events(session, actions=["login"])[0]
    assert (login.at, login.outcome, login.agent_id, login.details) == (AT, "success", 3, {"a": 1})
    assert events(session, since=AT + timedelta(seconds=30), until=AT + timedelta(hours=1))
    assert len(events(session, limit=1)) == 1


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(actor="someone else"),
        delete(AuditEvent),
    ],
)
def test_audit_rows_cannot_be_changed_or_deleted(session: Session, statement: object) -> None:
    record(session, AT, Event("login", actor=CID))
    session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(statement)  # type: ignore[call-overload]
    session.rollback()
    assert events(session)[0].actor == CID


@pytest.mark.postgres
def test_postgresql_also_refuses_truncate(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    with engine.connect() as connection, pytest.raises(DatabaseError, match="append-only"):
        connection.execute(text("TRUNCATE audit_events"))
    engine.dispose()


@pytest.mark.parametrize("by", ["subject_cid", "actor"])
def test_who_looked_up_this_person_reads_an_index(session: Session, by: str) -> None:
    """Stays an index read when the table holds 50 million rows."""
    query = events_query(
        **{by: CID},
        actions=["rights_lookup"],
        since=AT,
        until=AT + timedelta(days=30),
        limit=None,
    )
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_seqscan = off"))  # the tiny table would be scanned
        plan = "\n".join(session.scalars(text(f"EXPLAIN {compiled}")))
        index = f"_{by}_at_idx"  # each monthly partition's copy of ix_audit_events_{by}_at
    else:
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        plan = "\n".join(str(row[-1]) for row in rows)
        index = f"ix_audit_events_{by}_at"
    assert index in plan and "Seq Scan" not in plan, plan


def test_record_bulk_stores_what_record_stores(session: Session) -> None:
    tricky = {"reason": 'ไม่ได้ใช้งาน\t\\ "quoted"\nline', "n": 1, "none": None}
    bulk = [
        Event("user_revoke", actor="job:x", subject_cid=CID, unit_hcode="10670", details=tricky),
        Event("token_revoke", actor="job:x", outcome=Outcome.FAILURE, reason="r", agent_id=7),
    ]
    record_bulk(session, AT, bulk)
    session.commit()
    stored = list(reversed(events(session)))
    assert [(e.action, e.actor, e.subject_cid, e.unit_hcode, e.details) for e in stored] == [
        ("user_revoke", "job:x", CID, "10670", tricky),
        ("token_revoke", "job:x", None, None, None),
    ]
    assert (stored[1].outcome, stored[1].reason, stored[1].agent_id, stored[1].at) == (
        "failure",
        "r",
        7,
        AT,
    )
