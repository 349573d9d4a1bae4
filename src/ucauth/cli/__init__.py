"""The ``ucauth`` command line: one entry point, one module per command group."""

from __future__ import annotations

import click

from ucauth import __version__
from ucauth.cli.data import data
from ucauth.cli.db import db
from ucauth.cli.errors import run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ucauth")
def cli() -> None:
    """ucauth: Thai ID smart-card login and the rights-checking web service."""


cli.add_command(db)
cli.add_command(data)


def main() -> None:
    """Console-script entry point."""
    run(cli)
