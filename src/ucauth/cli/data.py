"""``ucauth data``: the beneficiary registry's synthetic data, imports and code tables."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ucauth.cli.errors import cli_language
from ucauth.db import make_engine
from ucauth.i18n import translate
from ucauth.migrations import ensure_current
from ucauth.rights.code_tables import (
    CodeKind,
    demo_entries,
    read_code_file,
    replace_code_table,
    shipped_entries,
)
from ucauth.rights.generator import write_csv
from ucauth.rights.importer import DEFAULT_BATCH_SIZE, import_beneficiaries
from ucauth.settings import DatabaseSettings

EXIT_SOME_REJECTED = 9


def _engine() -> Engine:
    """The configured database, refused unless its schema is current."""
    engine = make_engine(DatabaseSettings().resolved_database_url())
    ensure_current(engine)
    return engine


@click.group()
def data() -> None:
    """Beneficiary registry: synthetic data, bulk import, code tables."""


@data.command("generate")
@click.option("--persons", type=click.IntRange(min=1), required=True, help="How many.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same file.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file to write, in the import format.",
)
def generate(persons: int, seed: int, out: Path) -> None:
    """Write synthetic beneficiaries (valid citizen IDs, Thai names, a realistic mix of rights)."""
    try:
        write_csv(out, persons, seed)
    except OSError as error:
        raise click.FileError(str(out), hint=error.strerror) from error
    click.echo(translate("rights.generate_done", cli_language(), persons=persons, path=out))


@data.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where rejected rows go [default: FILE.rejects.csv].",
)
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE, show_default=True
)
def import_(file: Path, rejects: Path | None, batch_size: int) -> int:
    """Load beneficiaries from a CSV file; a person already there is replaced.

    Exit status 0 when every row loaded, 9 when some were rejected (the others loaded),
    3 when the file cannot be used (nothing changed).
    """
    lang = cli_language()
    reject_file = rejects or file.with_name(file.name + ".rejects.csv")
    engine = _engine()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[rows]:,}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    total = file.stat().st_size if file.is_file() else None
    try:
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(translate("rights.import_progress", lang), total=total, rows=0)
            result = import_beneficiaries(
                engine,
                file,
                reject_file=reject_file,
                batch_size=batch_size,
                lang=lang,
                progress=lambda done, rows: bar.update(task, completed=done, rows=rows),
            )
    finally:
        engine.dispose()
    click.echo(translate("rights.import_done", lang, loaded=result.loaded, rows=result.rows))
    if result.reject_file is None:
        return 0
    message = translate(
        "rights.import_rejected", lang, rejected=result.rejected, path=result.reject_file
    )
    click.echo(message, err=True)
    return EXIT_SOME_REJECTED


@data.group("codes")
def codes() -> None:
    """Code tables: right codes, hospitals, titles, nations."""


@codes.command("load")
@click.argument("kind", type=click.Choice([kind.value for kind in CodeKind]))
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="Load the synthetic demo table (hospitals only).")
def load(kind: str, file: Path | None, demo: bool) -> None:
    """Replace the KIND table with FILE (CSV with code and name columns).

    Without FILE, the table shipped with ucauth is loaded again; with --demo, the synthetic demo
    hospitals that the generated data uses.
    """
    if file and demo:
        raise click.UsageError("give FILE or --demo, not both")
    code_kind = CodeKind(kind)
    if demo:
        entries = demo_entries(code_kind)
    elif file:
        entries = read_code_file(code_kind, file)
    else:
        entries = shipped_entries(code_kind)
    engine = _engine()
    try:
        with Session(engine) as session, session.begin():
            replace_code_table(session, code_kind, entries)
    finally:
        engine.dispose()
    click.echo(translate("rights.codes_loaded", cli_language(), kind=kind, count=len(entries)))
