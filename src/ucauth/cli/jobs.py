"""``ucauth jobs``: the daily jobs' runs, and running one now."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click

from ucauth.cli.admin import database_session, output_rows, print_table
from ucauth.clock import SystemClock
from ucauth.jobs import revoke
from ucauth.jobs.context import Counts
from ucauth.jobs.service import JOBS, JobRunner, list_runs
from ucauth.migrations import ensure_current
from ucauth.settings import load_server_settings

RUN_COLUMNS = (
    "id", "job", "trigger", "slot", "started", "finished", "status", "tries", "counts", "error",
)  # fmt: skip


@click.group()
def jobs() -> None:
    """Scheduled jobs: revoke-inactive (12:30 daily), purge-tokens (00:00 daily)."""


@jobs.command("list")
@click.option("--job", type=click.Choice(list(JOBS)), help="Only this job's runs.")
@click.option("--limit", type=click.IntRange(min=1), default=30, show_default=True)
def jobs_list(job: str | None, limit: int) -> None:
    """The latest runs, newest first (times in UCAUTH_TIMEZONE)."""
    zone = load_server_settings().zone
    with database_session() as session:
        runs = list_runs(session, job=job, limit=limit)
        print_table(
            "job runs",
            RUN_COLUMNS,
            (
                (
                    run.id,
                    run.job + (" (dry run)" if run.dry_run else ""),
                    run.trigger,
                    run.scheduled_for and f"{run.scheduled_for.astimezone(zone):%Y-%m-%d %H:%M}",
                    run.started_at.astimezone(zone).isoformat(timespec="seconds"),
                    run.finished_at
                    and run.finished_at.astimezone(zone).isoformat(timespec="seconds"),
                    run.status,
                    run.attempts,
                    _counts(run.counts or {}),
                    run.error,
                )
                for run in runs
            ),
        )


@jobs.command("run")
@click.argument("name", type=click.Choice(list(JOBS)))
@click.option("--dry-run", is_flag=True, help="Change nothing; say what the run would do.")
def jobs_run(name: str, dry_run: bool) -> None:
    """Run a job now, as of now (revoke-inactive --dry-run lists who would be revoked)."""
    settings = load_server_settings()
    runner = JobRunner(settings.resolved_database_url(), clock=SystemClock(), zone=settings.zone)
    try:
        ensure_current(runner.engine)
        run = runner.run_now(
            name, dry_run=dry_run, on_batch=lambda counts: click.echo(_counts(counts), err=True)
        )
    finally:
        runner.close()
    if dry_run and name == revoke.NAME:
        with database_session() as session:
            due = revoke.inactive_accounts(
                session, at=run.started_at, inactive_for=revoke.INACTIVITY, zone=settings.zone
            )
        _print_inactive(
            f"would be revoked ({len(due)})", due, settings.zone, run.started_at, as_csv=False
        )
    click.echo(f"{name}: run {run.id} {run.status} {_counts(run.counts or {})}")


@jobs.command("inactive")
@click.option(
    "--days",
    type=click.IntRange(1, revoke.INACTIVITY.days),
    default=revoke.WARNING.days,
    show_default=True,
    help="Idle for more than this many days.",
)
@click.option("--region", type=click.IntRange(1, 13), help="Only this region's units.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout instead of a table.")
def jobs_inactive(days: int, region: int | None, as_csv: bool) -> None:
    """Active accounts idle for more than --days (150: warn them), longest idle first, with the
    day revoke-inactive will revoke them unless they log in."""
    zone = load_server_settings().zone
    now = SystemClock().now()
    with database_session() as session:
        found = revoke.inactive_accounts(
            session,
            at=now,
            inactive_for=timedelta(days=days),
            zone=zone,
            regions=frozenset({region}) if region else None,
        )
    _print_inactive(f"idle for more than {days} days ({len(found)})", found, zone, now, as_csv)


def _counts(counts: Counts) -> str:
    return " ".join(f"{name}={value}" for name, value in sorted(counts.items()))


def _print_inactive(
    title: str, accounts: list[revoke.InactiveAccount], zone: ZoneInfo, at: datetime, as_csv: bool
) -> None:
    columns = ("cid", "name", "unit", "region", "last access", "idle since", "days", "revoked on")
    rows = [
        (
            a.cid,
            f"{a.first_name} {a.last_name}",
            a.unit_hcode,
            a.region_number,
            a.last_access_at and f"{a.last_access_at.astimezone(zone):%Y-%m-%d}",
            f"{a.inactive_since.astimezone(zone):%Y-%m-%d}",
            a.days_inactive(at),
            f"{a.revocation_due.astimezone(zone):%Y-%m-%d %H:%M}",
        )
        for a in accounts
    ]
    output_rows(title, columns, rows, as_csv)
