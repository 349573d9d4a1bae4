from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from ucauth.audit.models import AuditEvent
from ucauth.audit.service import Event, Outcome, events, record
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
