"""The ``ucauth`` command line: one entry point, one module per command group.

A command's module is imported only when that command is used (:mod:`ucauth.cli.lazy`), so that
starting the CLI does not load the server, the database and the card stacks of the others.
"""

from __future__ import annotations

import click

from ucauth import __version__
from ucauth.cli.errors import run
from ucauth.cli.lazy import LazyCommand, LazyGroup

# name -> where the command lives, and the first paragraph of its help (a test keeps them equal).
COMMANDS = {
    "admin": LazyCommand(
        "ucauth.cli.admin",
        "admin",
        "Bootstrap and manage accounts (UCAUTH_DATABASE_URL, or SQLite in the data dir).",
    ),
    "agent": LazyCommand(
        "ucauth.cli.agent",
        "agent",
        "The workstation agent: enrolment, card login, the localhost page and API.",
    ),
    "card": LazyCommand(
        "ucauth.cli.card",
        "card_group",
        "Card readers, Thai ID cards and the virtual Thai ID card.",
    ),
    "check": LazyCommand(
        "ucauth.cli.check",
        "check",
        "Rights of the person with citizen ID PID (JSON), or of every ID in --file (into --out).",
    ),
    "data": LazyCommand(
        "ucauth.cli.data",
        "data",
        "Beneficiary registry: synthetic data, bulk import, code tables.",
    ),
    "db": LazyCommand("ucauth.cli.db", "db", "Database schema migrations."),
    "demo": LazyCommand(
        "ucauth.cli.demo",
        "demo_command",
        "Seed a demo database, then run the server, the agent and a virtual card until Ctrl-C.",
    ),
    "jobs": LazyCommand(
        "ucauth.cli.jobs",
        "jobs",
        "Scheduled jobs: revoke-inactive (12:30 daily), purge-tokens (00:00 daily).",
    ),
    "server": LazyCommand(
        "ucauth.cli.server",
        "server",
        "Run the central server; refuses an out-of-date schema and insecure settings.",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="ucauth")
def cli() -> None:
    """ucauth: Thai ID smart-card login and the rights-checking web service."""


def main() -> None:
    """Console-script entry point."""
    run(cli)
