"""The ``ucauth`` command line: one entry point, one module per command group."""

from __future__ import annotations

import click

from ucauth import __version__
from ucauth.cli.admin import admin
from ucauth.cli.agent import agent
from ucauth.cli.card import card_group
from ucauth.cli.check import check
from ucauth.cli.data import data
from ucauth.cli.db import db
from ucauth.cli.demo import demo_command
from ucauth.cli.errors import run
from ucauth.cli.jobs import jobs
from ucauth.cli.server import server


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ucauth")
def cli() -> None:
    """ucauth: Thai ID smart-card login and the rights-checking web service."""


cli.add_command(card_group)
cli.add_command(db)
cli.add_command(demo_command)
cli.add_command(server)
cli.add_command(admin)
cli.add_command(data)
cli.add_command(check)
cli.add_command(jobs)
cli.add_command(agent)


def main() -> None:
    """Console-script entry point."""
    run(cli)
