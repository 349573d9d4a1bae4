"""``ucauth demo``: the whole system on one machine, with a virtual Thai ID card."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ucauth.card.virtual.profile import bundled_profile_names
from ucauth.cli.errors import cli_language
from ucauth.demo.run import DEFAULT_AGENT_PORT, DEFAULT_PERSONS, DEFAULT_PORT, DemoOptions, run
from ucauth.demo.seed import CLERK_PROFILE
from ucauth.i18n import translate
from ucauth.settings import default_data_dir


@click.command("demo")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: default_data_dir() / "demo",
    show_default="the user data directory's ucauth/demo",
    help="Where the demo keeps its SQLite database; a second run reuses it.",
)
@click.option("--persons", type=click.IntRange(min=1), default=DEFAULT_PERSONS, show_default=True)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Server port (0: any free port; a taken port is replaced by a free one).",
)
@click.option(
    "--agent-port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_AGENT_PORT,
    show_default=True,
    help="Agent port (as --port).",
)
@click.option(
    "--card",
    type=click.Choice(bundled_profile_names()),
    default=CLERK_PROFILE,
    show_default=True,
    help="The virtual card in the reader.",
)
def demo_command(data_dir: Path, persons: int, port: int, agent_port: int, card: str) -> None:
    """Seed a demo database, then run the server, the agent and a virtual card until Ctrl-C."""
    lang = cli_language()
    options = DemoOptions(data_dir, persons, port, agent_port, card, lang)
    bars = _Bars(lang)
    try:
        run(options, bars.progress, bars.say, bars.show)
    finally:
        bars.close()
    click.echo(translate("demo.stopped", lang, path=data_dir), err=True)


class _Bars:
    """Progress bars on stderr while seeding; closed before any other output."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.bar: Progress | None = None
        self.tasks: dict[str, TaskID] = {}

    def progress(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(),
            )
            self.bar = Progress(*columns, console=Console(stderr=True))
            self.bar.start()
        if stage not in self.tasks:
            description = translate(f"demo.progress_{stage}", self.lang)
            self.tasks[stage] = self.bar.add_task(description, total=total)
        self.bar.update(self.tasks[stage], completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
            self.tasks = {}

    def say(self, message: str) -> None:
        self.close()
        click.echo(message, err=True)

    def show(self, text: str) -> None:
        self.close()
        click.echo(text)
