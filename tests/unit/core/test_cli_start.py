"""The command line and the HIS client kit start without the stacks they do not use, and the
CLI's lazily built help is the help of the commands themselves."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from ucauth.cli import COMMANDS, cli

HEAVY = ("fastapi", "sqlalchemy", "alembic", "uvicorn", "httpx", "pydantic", "smartcard", "rich")

LOADED_BY = """
import sys
from ucauth.cli import cli
cli.main(sys.argv[1:], standalone_mode=False)
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def top_level_modules(*args: str) -> set[str]:
    """The top-level packages imported by ``ucauth ARGS`` (in a fresh interpreter)."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED_BY, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(done.stdout.splitlines()[-1].split())


def test_the_top_level_help_imports_no_heavy_stack() -> None:
    loaded = top_level_modules("--help")
    assert "click" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_command_imports_only_its_own_stack() -> None:
    server_stack = top_level_modules("server", "--help") & {"fastapi", "sqlalchemy", "uvicorn"}
    assert not server_stack, sorted(server_stack)


def loaded_command(name: str) -> click.Command:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    return command


def test_the_table_names_every_command_under_its_own_name() -> None:
    for name in COMMANDS:
        assert loaded_command(name).name == name


def test_the_lazy_help_is_the_commands_own_help() -> None:
    eager = click.Group(
        cli.name,
        params=cli.params,
        help=cli.help,
        context_settings=cli.context_settings,
        commands=[loaded_command(name) for name in COMMANDS],
    )
    runner = CliRunner()
    lazy_help = runner.invoke(cli, ["--help"], terminal_width=80).output
    assert "Commands:" in lazy_help
    assert lazy_help == runner.invoke(eager, ["--help"], terminal_width=80).output
    wide = runner.invoke(cli, ["--help"], terminal_width=200).output
    assert wide == runner.invoke(eager, ["--help"], terminal_width=200).output


def test_the_his_client_kit_loads_no_server_stack() -> None:
    """What an HIS imports to call us: no database layer, web framework or server code."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ucauth.client, ucauth.client.agent\n"
            "print(' '.join(sorted(name for name in sys.modules if name.startswith(("
            "'sqlalchemy', 'fastapi', 'uvicorn', 'alembic', 'ucauth.server', "
            "'ucauth.tokens.service', 'ucauth.accounts.models')))))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == ""
