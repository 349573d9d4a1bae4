"""Writing and reading audit events. There is no update or delete here, on purpose."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, insert, select
from sqlalchemy.orm import Session

from ucauth.audit.models import AuditEvent
from ucauth.db import Db, DriverStatement, dialect_name, execute_driver_sql


class Action(StrEnum):
    """Actions this package's callers record. Other domains add their own strings."""

    LOGIN = "login"
    ACCOUNT_STATUS = "account_status"
    TOKEN_ISSUE = "token_issue"  # noqa: S105 - an action name
    TOKEN_REVOKE = "token_revoke"  # noqa: S105
    VERIFY = "verify"
    ENROL = "agent_enrol"
    UNIT_CREATE = "unit_create"
    USER_CREATE = "user_create"
    USER_REVOKE = "user_revoke"
    USER_SUSPEND = "user_suspend"
    USER_REINSTATE = "user_reinstate"
    SESSIONS_KILL = "sessions_kill"
    CODE_ISSUE = "enrolment_code_issue"
    AGENT_DISABLE = "agent_disable"
    RIGHTS_LOOKUP = "rights_lookup"
    WEB_LOGIN = "web_login"  # a log-on to the web pages (rights search, console)
    AUDIT_SEARCH = "audit_search"  # an administrator read the audit log
    AUDIT_ARCHIVE = "audit_archive"  # old months exported, then dropped


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(frozen=True)
class Event:
    """An event to record.

    ``actor`` is who acted: a staff member's CID, ``agent:<id>`` for a workstation acting on its
    own, ``cli:<os user>`` for the admin command line, ``anonymous`` for an unidentified caller.
    ``subject_cid`` is the person the event is about (the account logged in or changed, the
    patient whose rights were looked up). ``reason`` is the error code of a failure, or the
    result of a rights lookup (``found``, ``not_found``). ``channel`` and ``wsid`` say how a
    rights lookup came in (``soap``, ``rest``, ``batch``, ``fhir``, ``web``) and its request id.
    ``details`` holds small JSON values, never secrets (tokens only as an HMAC prefix).
    """

    action: str
    actor: str
    outcome: Outcome = Outcome.SUCCESS
    reason: str | None = None
    subject_cid: str | None = None
    agent_id: int | None = None
    unit_hcode: str | None = None
    client_address: str | None = None
    channel: str | None = None
    wsid: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


_INSERT = insert(AuditEvent)
CSV_COLUMNS = (
    "at", "action", "outcome", "reason", "actor", "unit", "agent", "subject", "channel", "wsid",
    "address",
)  # fmt: skip


def csv_row(event: AuditEvent, zone: tzinfo) -> tuple[str, ...]:
    """An event as a row of :data:`CSV_COLUMNS` (empty text for none), its time in ``zone``."""
    values = (
        event.at.astimezone(zone).isoformat(timespec="seconds"),
        event.action,
        event.outcome,
        event.reason,
        event.actor,
        event.unit_hcode,
        event.agent_id,
        event.subject_cid,
        event.channel,
        event.wsid,
        event.client_address,
    )
    return tuple("" if value is None else str(value) for value in values)


def record(db: Db, at: datetime, *events: Event) -> None:
    """Insert a request's (or a batch of logins') ``events`` in the current transaction, in one
    statement: on PostgreSQL the events bound as one JSON document (:data:`INSERT_JSON`, whose text
    the driver parses once, however many events), on SQLite a multi-row insert on the driver
    (the hot paths: a login's audit costs a third of SQLAlchemy's). The caller commits."""
    if dialect_name(db) == "postgresql":
        execute_driver_sql(db, INSERT_JSON, insert_json_params((at, e) for e in events))
        return
    params = {
        f"{name}_{index}": value
        for index, event in enumerate(events)
        for name, value in _row(at, event).items()
    }
    _insert_of(len(events)).execute(db, params)


def record_each(db: Db, stamped: Iterable[tuple[datetime, Event]]) -> None:
    """Insert events, each at its own time, in one statement (the caller commits)."""
    db.execute(_INSERT, [_row(at, event) for at, event in stamped])


def record_bulk(db: Db, at: datetime, events: Sequence[Event]) -> None:
    """Insert many events (thousands, for a job) the fastest way the database has: COPY on
    PostgreSQL, the driver's ``executemany`` on SQLite (values converted as SQLAlchemy would).
    The caller commits."""
    if not events:
        return
    connection = db if isinstance(db, Connection) else db.connection()
    if connection.dialect.name != "postgresql":
        rows = (_row(at, event) for event in events)
        _insert_of(1).execute(connection, [{f"{n}_0": v for n, v in r.items()} for r in rows])
        return
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(_COPY) as copy:  # type: ignore[union-attr]
        for event in events:
            copy.write_row(_copy_row(at, event))


def _copy_row(at: datetime, event: Event) -> tuple[Any, ...]:
    """An event's values in :data:`_COLUMNS` order as PostgreSQL takes them (details as JSON
    text)."""
    row = _row(at, event)
    details = row["details"]
    row["details"] = None if details is None else json.dumps(details, ensure_ascii=False)
    return tuple(row[name] for name in _COLUMNS)


def _row(at: datetime, event: Event) -> dict[str, Any]:
    return {
        "at": at,
        "action": str(event.action),
        "outcome": str(event.outcome),
        "reason": event.reason,
        "actor": event.actor,
        "subject_cid": event.subject_cid,
        "agent_id": event.agent_id,
        "unit_hcode": event.unit_hcode,
        "client_address": event.client_address,
        "channel": event.channel,
        "wsid": event.wsid,
        "details": dict(event.details) or None,
    }


_COLUMNS = (
    "at", "action", "outcome", "reason", "actor", "subject_cid", "agent_id", "unit_hcode",
    "client_address", "channel", "wsid", "details",
)  # fmt: skip
_COPY = f"COPY audit_events ({', '.join(_COLUMNS)}) FROM STDIN"
_JSON_TYPES = {"at": "timestamptz", "agent_id": "integer", "details": "json"}  # others: text
# PostgreSQL: many events in one statement, bound as one JSON array of rows (a single round
# trip, whatever their number; one parameter, written by the json module's C encoder: binding
# each column as an array cost twice as much, in psycopg's per-element dumping).
INSERT_JSON = (
    f"INSERT INTO audit_events ({', '.join(_COLUMNS)})"  # noqa: S608 - our own column names
    f" SELECT {', '.join(_COLUMNS)} FROM json_to_recordset(%(events)s::json) AS event("
    + ", ".join(f"{name} {_JSON_TYPES.get(name, 'text')}" for name in _COLUMNS)
    + ")"
)


def insert_json_params(stamped: Iterable[tuple[datetime, Event]]) -> dict[str, str]:
    """The parameter of :data:`INSERT_JSON` for these events."""
    rows = []
    for at, event in stamped:
        row = _row(at, event)
        row["at"] = at.isoformat()
        rows.append(row)
    return {"events": json.dumps(rows, ensure_ascii=False)}


@cache
def _insert_of(rows: int) -> DriverStatement:
    """The insert of ``rows`` events on the driver, parameters ``<column>_<row index>``."""
    columns = AuditEvent.__table__.c
    values = [
        {name: bindparam(f"{name}_{index}", type_=columns[name].type) for name in _COLUMNS}
        for index in range(rows)
    ]
    return DriverStatement(insert(AuditEvent).values(values))


def events(
    session: Session,
    *,
    subject_cid: str | None = None,
    actor: str | None = None,
    actions: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    unit_hcodes: Collection[str] | None = None,
    limit: int | None = 100,
) -> list[AuditEvent]:
    """The newest events matching every given filter, newest first (all of them when ``limit``
    is None)."""
    query = events_query(
        subject_cid=subject_cid,
        actor=actor,
        actions=actions,
        since=since,
        until=until,
        unit_hcodes=unit_hcodes,
        limit=limit,
    )
    return list(session.scalars(query))


def events_query(
    *,
    subject_cid: str | None = None,
    actor: str | None = None,
    actions: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    unit_hcodes: Collection[str] | None = None,
    limit: int | None = 100,
) -> Select[AuditEvent]:
    """The query of :func:`events`. Filtered by ``subject_cid`` ("who looked up this person")
    or by ``actor``, it reads an index that starts with that column, whatever the table's size.
    ``unit_hcodes`` (a regional administrator's units) keeps the events of those units only."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if unit_hcodes is not None:
        query = query.where(AuditEvent.unit_hcode.in_(sorted(unit_hcodes)))
    if limit is not None:
        query = query.limit(limit)
    if subject_cid is not None:
        query = query.where(AuditEvent.subject_cid == subject_cid)
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    if actions:
        query = query.where(AuditEvent.action.in_([str(a) for a in actions]))
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    return query


def hourly_counts(
    session: Session,
    actions: Sequence[str],
    *,
    since: datetime,
    unit_hcodes: Collection[str] | None = None,
) -> dict[str, dict[datetime, int]]:
    """Successful events of each action per hour (UTC, the hour's start) since ``since``, for
    the console's charts: one grouped query over the ``at`` index."""
    if session.get_bind().dialect.name == "sqlite":
        hour = func.strftime("%Y-%m-%d %H:00:00", AuditEvent.at)
    else:
        hour = func.to_char(
            func.date_trunc("hour", func.timezone("UTC", AuditEvent.at)), "YYYY-MM-DD HH24:MI:SS"
        )
    query = (
        select(AuditEvent.action, hour.label("hour"), func.count())
        .where(
            AuditEvent.at >= since,
            AuditEvent.outcome == Outcome.SUCCESS,
            AuditEvent.action.in_([str(a) for a in actions]),
        )
        .group_by(AuditEvent.action, hour)
    )
    if unit_hcodes is not None:
        query = query.where(AuditEvent.unit_hcode.in_(sorted(unit_hcodes)))
    counts: dict[str, dict[datetime, int]] = {str(a): {} for a in actions}
    for action, text, count in session.execute(query):
        moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
        counts[action][moment] = int(count)
    return counts
