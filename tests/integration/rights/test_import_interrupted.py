"""An import killed mid-way (SIGKILL, or Ctrl-C's SIGINT) leaves every person either fully
old or fully new, and leaves no reader process behind; importing again finishes the job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.rights import normalized, stored_rows, write_csv
from ucauth.db import make_engine
from ucauth.randomness import SeededRandom
from ucauth.rights.columns import COLUMN_NAMES
from ucauth.rights.generator import generate
from ucauth.rights.importer import import_beneficiaries

PERSONS = 60_000  # about 15 MB: read by the importer's child process
MARK = "ใหม่"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The old file, and the new one: the same people, every one of them changed."""
    folder = tmp_path_factory.mktemp("interrupted")
    old = [dict(zip(COLUMN_NAMES, row, strict=True)) for row in generate(PERSONS, SeededRandom(5))]
    new = [
        {**row, "fname": MARK + row["fname"], "lname": "ทดสอบ", "primary_moo": "99",
         **dict.fromkeys(("new_maininscl", "new_hmain", "new_startdate", "new_date_register"), "")}
        for row in old
    ]  # fmt: skip
    return write_csv(folder / "old.csv", old), write_csv(folder / "new.csv", new)


def _expected(path: Path) -> dict[str, dict[str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as source:
        return {row["person_id"]: normalized(row) for row in csv.DictReader(source)}


def _new_rows(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = text("SELECT count(*) FROM beneficiaries WHERE fname LIKE :mark")
            return int(connection.execute(query, {"mark": MARK + "%"}).scalar_one())
    finally:
        engine.dispose()


def _ctrl_c_as_at_a_terminal() -> None:
    """In the child: SIGINT's default action, even when the tests run where it is ignored (a
    shell's background job), which Python would keep and the import would never see."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _import_command(url: str, source: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ucauth", "data", "import", str(source), "--batch-size", "100"],
        env={**os.environ, "UCAUTH_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the reader process is in it too
        preexec_fn=_ctrl_c_as_at_a_terminal,
    )


def _group_gone(group: int) -> bool:
    for _ in range(100):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_every_person_is_fully_old_or_fully_new(
    database_url: str, files: tuple[Path, Path], stop: signal.Signals
) -> None:
    old_file, new_file = files
    engine = make_engine(database_url)
    import_beneficiaries(engine, old_file, reject_file=old_file.with_suffix(".rejects"))
    engine.dispose()

    importing = _import_command(database_url, new_file)
    deadline = time.monotonic() + 120
    while _new_rows(database_url) == 0:
        assert importing.poll() is None, importing.stderr.read() if importing.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.02)
    importing.send_signal(stop)
    _, errors = importing.communicate(timeout=60)
    assert _group_gone(importing.pid), "a reader process was left running"
    if stop == signal.SIGINT:
        assert importing.returncode == 130 and b"interrupted" in errors
        assert b"Traceback" not in errors

    old, new, stored = _expected(old_file), _expected(new_file), stored_rows(database_url)
    assert stored.keys() == old.keys()
    fully_new = {pid for pid, row in stored.items() if row == new[pid]}
    fully_old = {pid for pid, row in stored.items() if row == old[pid]}
    assert fully_new | fully_old == stored.keys(), "a person is half old, half new"
    assert fully_new and fully_old, "the import was not stopped mid-way"

    finished = _import_command(database_url, new_file)
    assert finished.wait(timeout=300) == 0
    assert stored_rows(database_url) == new
