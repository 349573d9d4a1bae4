"""``ucauth admin``: bootstrap and manage units, users, enrolment codes and workstations; decide
access requests; read the audit log.

Every action is audited with the actor ``cli:<OS user>``.
"""

from __future__ import annotations

import csv
import getpass
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from ucauth.accounts import service
from ucauth.accounts.models import Role, UserStatus
from ucauth.audit import service as audit_service
from ucauth.audit.partitions import archive
from ucauth.audit.service import Action
from ucauth.cid import validate_cid
from ucauth.clock import SystemClock
from ucauth.db import make_engine
from ucauth.lifecycle import legacy
from ucauth.lifecycle import service as requests_service
from ucauth.lifecycle.models import AccessRequest, RequestStatus
from ucauth.migrations import ensure_current
from ucauth.randomness import SecureRandom
from ucauth.settings import DatabaseSettings, load_server_settings

_clock = SystemClock()


@contextmanager
def database_session() -> Iterator[Session]:
    """A session on the configured database, which must be at the newest migration."""
    engine = make_engine(DatabaseSettings().resolved_database_url())
    try:
        ensure_current(engine)
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def database_connection() -> Iterator[Connection]:
    """A Core connection on the configured database, which must be at the newest migration."""
    engine = make_engine(DatabaseSettings().resolved_database_url())
    try:
        ensure_current(engine)
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    Console().print(table)


@click.group()
def admin() -> None:
    """Bootstrap and manage accounts (UCAUTH_DATABASE_URL, or SQLite in the data dir)."""


@admin.group()
def units() -> None:
    """Service units (5-digit hcode)."""


@units.command("add")
@click.argument("hcode")
@click.option("--name", required=True, help="The unit's name.")
@click.option("--province", required=True, help="4-digit province code, e.g. 1000 (Bangkok).")
def units_add(hcode: str, name: str, province: str) -> None:
    """Add a unit; its region is its province's."""
    with database_session() as session:
        unit = service.create_unit(
            session,
            hcode=hcode,
            name=name,
            province_code=province,
            actor=_actor(),
            now=_clock.now(),
        )
        click.echo(f"unit {unit.hcode} added (region {unit.region_number})")


@units.command("list")
def units_list() -> None:
    """List the units."""
    with database_session() as session:
        print_table(
            "units",
            ("hcode", "name", "province", "region"),
            (
                (u.hcode, u.name, u.province_code, u.region_number)
                for u in service.list_units(session)
            ),
        )


@admin.group()
def users() -> None:
    """Staff accounts (by citizen ID)."""


@users.command("add")
@click.argument("cid")
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--unit", "unit_hcode", required=True, help="hcode of the user's unit.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.STAFF.value)
@click.option(
    "--region",
    "regions",
    type=click.IntRange(1, 13),
    multiple=True,
    help="A region a regional_admin administers (repeat for several).",
)
@click.option("--pending", is_flag=True, help="Create the account pending approval.")
def users_add(
    cid: str,
    first_name: str,
    last_name: str,
    unit_hcode: str,
    role: str,
    regions: tuple[int, ...],
    pending: bool,
) -> None:
    """Add a staff account (active unless --pending)."""
    with database_session() as session:
        user = service.create_user(
            session,
            cid=cid,
            first_name=first_name,
            last_name=last_name,
            unit_hcode=unit_hcode,
            role=Role(role),
            region_numbers=regions,
            status=UserStatus.PENDING if pending else UserStatus.ACTIVE,
            actor=_actor(),
            now=_clock.now(),
        )
        click.echo(f"user {user.cid} added ({user.role}, {user.status})")


@users.command("list")
@click.option("--unit", "unit_hcode", help="Only this unit's users.")
@click.option("--status", type=click.Choice([s.value for s in UserStatus]))
def users_list(unit_hcode: str | None, status: str | None) -> None:
    """List staff accounts."""
    with database_session() as session:
        found = service.list_users(
            session, unit_hcode=unit_hcode, status=UserStatus(status) if status else None
        )
        print_table(
            "users",
            ("cid", "name", "unit", "role", "regions", "status", "last access", "revoked"),
            (
                (
                    u.cid,
                    f"{u.first_name} {u.last_name}",
                    u.unit_hcode,
                    u.role,
                    ",".join(map(str, service.user_regions(session, u.id))),
                    u.status,
                    u.last_access_at and u.last_access_at.isoformat(timespec="seconds"),
                    u.revoked_at and f"{u.revoked_at:%Y-%m-%d} {u.revoked_reason}",
                )
                for u in found
            ),
        )


@users.command("revoke")
@click.argument("cid")
@click.option("--reason", required=True)
def users_revoke(cid: str, reason: str) -> None:
    """Revoke an account and end its session now."""
    with database_session() as session:
        service.revoke_user(session, cid, reason=reason, actor=_actor(), now=_clock.now())
        click.echo(f"user {cid} revoked")


@users.command("suspend")
@click.argument("cid")
@click.option("--reason", required=True)
def users_suspend(cid: str, reason: str) -> None:
    """Suspend an active account and end its session now."""
    with database_session() as session:
        service.suspend_user(session, cid, reason=reason, actor=_actor(), now=_clock.now())
        click.echo(f"user {cid} suspended")


@users.command("reinstate")
@click.argument("cid")
def users_reinstate(cid: str) -> None:
    """Make a pending, revoked or suspended account active."""
    with database_session() as session:
        service.reinstate_user(session, cid, actor=_actor(), now=_clock.now())
        click.echo(f"user {cid} active")


@users.command("kill-sessions")
@click.argument("cid")
def users_kill_sessions(cid: str) -> None:
    """End the user's session (revoke their token) now."""
    with database_session() as session:
        killed = service.kill_sessions(session, cid, actor=_actor(), now=_clock.now())
        click.echo(f"user {cid}: {killed} token(s) revoked")


@admin.group()
def codes() -> None:
    """One-time workstation enrolment codes."""


@codes.command("issue")
@click.option("--unit", "unit_hcode", required=True, help="hcode of the unit to enrol into.")
@click.option(
    "--hours",
    type=click.IntRange(1, 720),
    default=24,
    show_default=True,
    help="How long the code stays usable.",
)
def codes_issue(unit_hcode: str, hours: int) -> None:
    """Issue a code for `ucauth agent enroll --code`; it is shown only now."""
    with database_session() as session:
        issued = service.issue_enrolment_code(
            session,
            unit_hcode=unit_hcode,
            lifetime=timedelta(hours=hours),
            actor=_actor(),
            now=_clock.now(),
            random=SecureRandom(),
        )
        click.echo(issued.code)
        click.echo(
            f"unit {issued.unit_hcode}, usable once until {issued.expires_at:%Y-%m-%d %H:%M} UTC",
            err=True,
        )


@admin.group()
def agents() -> None:
    """Enrolled workstations."""


@agents.command("list")
@click.option("--unit", "unit_hcode", help="Only this unit's workstations.")
def agents_list(unit_hcode: str | None) -> None:
    """List enrolled workstations."""
    with database_session() as session:
        print_table(
            "agents",
            ("id", "name", "unit", "status", "enrolled", "last seen"),
            (
                (
                    a.id,
                    a.name,
                    a.unit_hcode,
                    a.status,
                    a.enrolled_at.isoformat(timespec="seconds"),
                    a.last_seen_at and a.last_seen_at.isoformat(timespec="seconds"),
                )
                for a in service.list_agents(session, unit_hcode=unit_hcode)
            ),
        )


@agents.command("disable")
@click.argument("agent_id", type=click.IntRange(1, 2**31 - 1))
def agents_disable(agent_id: int) -> None:
    """Stop a workstation from logging anyone in."""
    with database_session() as session:
        service.disable_agent(session, agent_id, actor=_actor(), now=_clock.now())
        click.echo(f"agent {agent_id} disabled")


@admin.group()
def requests() -> None:
    """Access requests (R7); the command line acts on every region."""


def _admin() -> requests_service.Administrator:
    return requests_service.Administrator.cli(_actor())


@requests.command("list")
@click.option(
    "--status",
    type=click.Choice([*(s.value for s in RequestStatus), "all"]),
    default=RequestStatus.PENDING.value,
    show_default=True,
)
@click.option("--region", type=click.IntRange(1, 13), help="Only this region's requests.")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True)
def requests_list(status: str, region: int | None, limit: int) -> None:
    """List requests (pending ones oldest first)."""
    admin = requests_service.Administrator(_actor(), frozenset({region}) if region else None)
    with database_session() as session:
        found = requests_service.list_requests(
            session,
            admin,
            status=None if status == "all" else RequestStatus(status),
            limit=limit,
        )
        print_table(
            f"access requests ({len(found)})",
            ("reference", "status", "cid", "name", "unit", "region", "submitted", "decided"),
            (
                (
                    r.reference,
                    r.status,
                    r.cid,
                    f"{r.first_name} {r.last_name}",
                    r.unit_hcode,
                    r.region_number,
                    r.submitted_at.isoformat(timespec="seconds"),
                    r.decided_at and f"{r.decided_at:%Y-%m-%d} {r.decided_by}",
                )
                for r in found
            ),
        )


def _print_request(request: AccessRequest) -> None:
    fields = (
        "reference", "status", "cid", "first_name", "last_name", "unit_hcode", "region_number",
        "position", "phone", "email", "reason", "submitted_at", "client_address", "decided_at",
        "decided_by", "decision_reason",
    )  # fmt: skip
    for name in fields:
        value = getattr(request, name)
        click.echo(f"{name}: {'' if value is None else value}")


@requests.command("show")
@click.argument("reference")
def requests_show(reference: str) -> None:
    """Show one request."""
    with database_session() as session:
        _print_request(requests_service.get_request(session, reference, admin=_admin()))


@requests.command("approve")
@click.argument("reference")
def requests_approve(reference: str) -> None:
    """Approve a pending request: the account becomes active (created or reactivated)."""
    with database_session() as session:
        request = requests_service.approve_request(
            session, reference, admin=_admin(), now=_clock.now()
        )
        click.echo(f"request {request.reference} approved: account {request.cid} active")


@requests.command("reject")
@click.argument("reference")
@click.option("--reason", required=True, help="Shown to the requester.")
def requests_reject(reference: str, reason: str) -> None:
    """Reject a pending request with a reason."""
    with database_session() as session:
        request = requests_service.reject_request(
            session, reference, admin=_admin(), reason=reason, now=_clock.now()
        )
        click.echo(f"request {request.reference} rejected")


@admin.group("legacy")
def legacy_group() -> None:
    """Legacy unit credentials (chk + digits, fixed password) until UCAUTH_LEGACY_LOGIN_UNTIL."""


@legacy_group.command("add")
@click.argument("username")
@click.option("--unit", "unit_hcode", required=True, help="hcode of the unit it belongs to.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def legacy_add(username: str, unit_hcode: str, password_stdin: bool) -> None:
    """Register a unit's old credential (its password is stored as an Argon2id hash)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    with database_session() as session:
        credential = legacy.create_credential(
            session,
            username=username,
            unit_hcode=unit_hcode,
            password=password,
            actor=_actor(),
            now=_clock.now(),
        )
        click.echo(f"legacy credential {credential.username} added (unit {credential.unit_hcode})")


@legacy_group.command("list")
@click.option("--unit", "unit_hcode", help="Only this unit's credentials.")
def legacy_list(unit_hcode: str | None) -> None:
    """List legacy credentials with their last use."""
    with database_session() as session:
        print_table(
            "legacy credentials",
            ("username", "unit", "created", "last used", "last refused"),
            (
                (
                    c.username,
                    c.unit_hcode,
                    c.created_at.isoformat(timespec="seconds"),
                    c.last_used_at and c.last_used_at.isoformat(timespec="seconds"),
                    c.last_refused_at and c.last_refused_at.isoformat(timespec="seconds"),
                )
                for c in legacy.list_credentials(session, unit_hcode=unit_hcode)
            ),
        )


@legacy_group.command("remove")
@click.argument("username")
def legacy_remove(username: str) -> None:
    """Delete a legacy credential; it stops working at once."""
    with database_session() as session:
        legacy.remove_credential(session, username, actor=_actor(), now=_clock.now())
        click.echo(f"legacy credential {username} removed")


USAGE_COLUMNS = (
    "region", "unit", "unit name", "username", "uses", "refusals", "last used", "last refused",
)  # fmt: skip


@admin.command("legacy-usage")
@click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True)
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout instead of a table.")
def legacy_usage(days: int, as_csv: bool) -> None:
    """Units whose HIS used (or tried, after the sunset) a legacy credential in the last --days
    days: the ones to chase."""
    zone = load_server_settings().zone
    with database_session() as session:
        found = legacy.usage_report(session, now=_clock.now(), days=days)
    rows = (
        (
            u.region_number,
            u.unit_hcode,
            u.unit_name,
            u.username,
            u.uses,
            u.refusals,
            u.last_used_at and u.last_used_at.astimezone(zone).isoformat(timespec="seconds"),
            u.last_refused_at and u.last_refused_at.astimezone(zone).isoformat(timespec="seconds"),
        )
        for u in found
    )
    output_rows(
        f"legacy logins in the last {days} days ({len(found)} credentials)",
        USAGE_COLUMNS,
        rows,
        as_csv,
    )


def output_rows(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[object]], as_csv: bool
) -> None:
    """A table, or CSV on stdout."""
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(("" if value is None else value for value in row) for row in rows)
    else:
        print_table(title, columns, rows)


@admin.command("audit")
@click.option("--patient", metavar="CID", help="Who looked up this person's rights.")
@click.option("--user", "user_cid", metavar="CID", help="What this staff member did.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="From this day on.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Up to and including this day.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout instead of a table.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=1000, show_default=True, help="Newest first."
)
def audit(
    patient: str | None,
    user_cid: str | None,
    since: datetime | None,
    until: datetime | None,
    as_csv: bool,
    limit: int,
) -> None:
    """Audit events: the rights lookups of a patient (--patient), or everything a staff member
    did (--user). Days are in the server's time zone (UCAUTH_TIMEZONE)."""
    if (patient is None) == (user_cid is None):
        raise click.UsageError("give --patient or --user")
    zone = load_server_settings().zone
    with database_session() as session:
        found = audit_service.events(
            session,
            subject_cid=validate_cid(patient) if patient else None,
            actor=validate_cid(user_cid) if user_cid else None,
            actions=[Action.RIGHTS_LOOKUP] if patient else (),
            since=_start_of(since, zone),
            until=_start_of(until + timedelta(days=1), zone) if until else None,
            limit=limit,
        )
    rows = [audit_service.csv_row(event, zone) for event in found]
    output_rows(f"audit ({len(found)})", audit_service.CSV_COLUMNS, rows, as_csv)


@admin.command("audit-archive")
@click.option(
    "--before",
    required=True,
    type=click.DateTime(["%Y-%m"]),
    help="Archive every month before this one (YYYY-MM; at most the current month).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the audit-YYYY-MM.csv.gz files.",
)
def audit_archive(before: datetime, out: Path) -> None:
    """PostgreSQL: export each month of the audit log before --before to a gzipped CSV, then
    detach and drop its partition. Audited, with each file's row count and SHA-256."""
    with database_connection() as connection:
        done = archive(connection, before.date(), out, actor=_actor(), now=_clock.now())
    for month in done:
        click.echo(f"{month.month:%Y-%m}: {month.rows} rows, {month.path} sha256 {month.sha256}")
    if not done:
        click.echo("nothing to archive")


def _start_of(day: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if day is None else day.replace(tzinfo=zone)
