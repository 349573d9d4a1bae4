"""``ucauth check``: rights of one person, or of every citizen ID in a file, from a server.

The credentials are ``--user``/``--token`` (or ``UCAUTH_USER``/``UCAUTH_TOKEN``); without them,
the token of whoever is logged in at this workstation, from the running ucauth agent.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ucauth.cli.errors import cli_language
from ucauth.client.agent import DEFAULT_AGENT, agent_token
from ucauth.client.calls import Credentials
from ucauth.client.check_file import FOUND, NOT_FOUND, FileCheck, check_file
from ucauth.client.rights import DEFAULT_SERVER, RightsClient
from ucauth.i18n import translate

EXIT_NOT_FOUND = 6
EXIT_INTERRUPTED = 130


@click.command("check")
@click.argument("pid", required=False)
@click.option(
    "--file",
    "ids_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A CSV file with a citizen ID per line (first column) to check them all.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The results CSV of --file (resumed when an earlier run was interrupted).",
)
@click.option(
    "--server",
    envvar="UCAUTH_SERVER_URL",
    default=DEFAULT_SERVER,
    show_default=True,
    help="The ucauth server (UCAUTH_SERVER_URL).",
)
@click.option("--user", envvar="UCAUTH_USER", help="Staff citizen ID (UCAUTH_USER).")
@click.option("--token", envvar="UCAUTH_TOKEN", help="Staff token (UCAUTH_TOKEN).")
@click.option(
    "--agent",
    envvar="UCAUTH_AGENT_URL",
    default=DEFAULT_AGENT,
    show_default=True,
    help="The local agent that gives the token when --user/--token are not given.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 1000),
    default=500,
    show_default=True,
    help="IDs per request of --file.",
)
def check(
    pid: str | None,
    ids_file: Path | None,
    out: Path | None,
    server: str,
    user: str | None,
    token: str | None,
    agent: str,
    batch_size: int,
) -> int:
    """Rights of the person with citizen ID PID (JSON), or of every ID in --file (into --out).

    Exit status 0 when found (or the file is done), 6 when nobody has PID, 130 when
    interrupted (run the same command again to continue the file).
    """
    if (pid is None) == (ids_file is None):
        raise click.UsageError("give PID or --file, not both")
    if (ids_file is None) != (out is None):
        raise click.UsageError("--file and --out go together")
    if (user is None) != (token is None):
        raise click.UsageError("--user and --token go together")
    lang = cli_language()
    credentials = Credentials(user, token) if user and token else agent_token(agent).credentials()
    with RightsClient(server, credentials, lang=lang) as client:
        if ids_file is not None and out is not None:
            return _check_file(client, ids_file, out, batch_size, lang)
        return _check_one(client, pid or "", lang)


def _check_one(client: RightsClient, pid: str, lang: str) -> int:
    found = client.right_search(pid)
    if found is None:
        click.echo(translate("client.not_found", lang, pid=pid.strip()), err=True)
        return EXIT_NOT_FOUND
    click.echo(
        json.dumps(found.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=2)
    )
    return 0


def _check_file(client: RightsClient, ids: Path, out: Path, batch_size: int, lang: str) -> int:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with (
        _stop_on_first_interrupt(lang) as stopping,
        Progress(*columns, console=Console(stderr=True), transient=True) as bar,
    ):
        task = bar.add_task(translate("client.check_progress", lang), total=None)

        def show(run: FileCheck) -> None:
            bar.update(task, total=run.total, completed=run.done)

        run = check_file(client, ids, out, batch_size=batch_size, progress=show, stop=stopping)
    if run.interrupted:
        message = translate("client.check_interrupted", lang, done=run.done, total=run.total)
        click.echo(message, err=True)
        return EXIT_INTERRUPTED
    found, not_found = run.statuses.get(FOUND, 0), run.statuses.get(NOT_FOUND, 0)
    invalid = run.total - found - not_found
    click.echo(
        translate(
            "client.check_done",
            lang,
            total=run.total,
            found=found,
            not_found=not_found,
            invalid=invalid,
            path=out,
        )
    )
    return 0


@contextmanager
def _stop_on_first_interrupt(lang: str) -> Iterator[_Flag]:
    """The first Ctrl-C (or SIGTERM) asks the run to stop after the batch under way, so that its
    results are kept; a second one stops at once."""
    flag = _Flag()

    def stop(signum: int, frame: FrameType | None) -> None:
        if flag.raised:
            raise KeyboardInterrupt
        flag.raised = True
        click.echo(translate("client.check_stopping", lang), err=True)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield flag
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Flag:
    raised = False

    def __call__(self) -> bool:
        return self.raised
