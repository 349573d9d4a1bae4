"""``ucauth db``: apply and inspect the database migrations."""

from __future__ import annotations

import click

from ucauth.db import make_engine
from ucauth.migrations import current_revision, head_revision, upgrade
from ucauth.settings import DatabaseSettings


@click.group()
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied (UCAUTH_DATABASE_URL, or SQLite in the data dir)."""
    url = DatabaseSettings().resolved_database_url()
    upgrade(url)
    click.echo(f"database at revision {head_revision()}")


@db.command("current")
def db_current() -> None:
    """Print the database's revision and the newest one this version ships."""
    engine = make_engine(DatabaseSettings().resolved_database_url())
    try:
        click.echo(f"current {current_revision(engine) or '-'}, head {head_revision()}")
    finally:
        engine.dispose()
