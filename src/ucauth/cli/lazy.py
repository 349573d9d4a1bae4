"""A click group whose commands are imported only when one of them is used."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from gettext import gettext as _
from typing import Any

import click


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives (``module``'s ``attribute``) and its one-line help for the list."""

    module: str
    attribute: str
    short_help: str


class LazyGroup(click.Group):
    """A group of commands named in a static table.

    A command's module is imported when the command is looked up (to run it, or for its own
    ``--help``); the group's ``--help`` lists every command from the table alone, so that it
    imports none of them.
    """

    def __init__(self, *args: Any, lazy_commands: Mapping[str, LazyCommand], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.lazy_commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = self.lazy_commands.get(cmd_name)
        if lazy is None:
            return None
        command = getattr(importlib.import_module(lazy.module), lazy.attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{lazy.module}.{lazy.attribute} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As :meth:`click.Group.format_commands`, with each command's help from the table."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._short_help(name, limit)) for name in names]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

    def _short_help(self, name: str, limit: int) -> str:
        """The table's text, shortened by a bare command exactly as the real one would be."""
        return click.Command(name, help=self.lazy_commands[name].short_help).get_short_help_str(
            limit
        )
