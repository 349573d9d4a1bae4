"""``ucauth data`` as an operator runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from tests.support.rights import read_csv
from ucauth.db import make_engine


def _ucauth(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ucauth", *args],
        env={**os.environ, "UCAUTH_DATABASE_URL": url, "UCAUTH_LANG": "en"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _scalar(url: str, query: str) -> object:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query)).scalar_one()
    finally:
        engine.dispose()


def test_generate_then_import(sqlite_url: str, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    generated = _ucauth(
        sqlite_url, "data", "generate", "--persons", "500", "--seed", "3", "--out", str(people)
    )
    assert generated.returncode == 0 and "Wrote 500 synthetic beneficiaries" in generated.stdout
    imported = _ucauth(sqlite_url, "data", "import", str(people))
    assert imported.returncode == 0, imported.stderr
    assert "Loaded 500 of 500 rows" in imported.stdout
    assert _scalar(sqlite_url, "SELECT count(*) FROM beneficiaries") == 500


def test_rejected_rows_exit_9_and_an_unusable_file_exits_3(sqlite_url: str, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("person_id,fname\n3150300174300,สมชาย\n1234567890123,สมหญิง\n", "utf-8")
    result = _ucauth(sqlite_url, "data", "import", str(mixed))
    assert result.returncode == 9
    assert "Loaded 1 of 2 rows" in result.stdout and "1 rows rejected" in result.stderr
    assert read_csv(tmp_path / "mixed.csv.rejects.csv")[0]["line"] == "3"
    elsewhere = tmp_path / "r.csv"
    assert (
        _ucauth(sqlite_url, "data", "import", str(mixed), "--rejects", str(elsewhere)).returncode
        == 9
    )
    assert elsewhere.exists()
    missing = _ucauth(sqlite_url, "data", "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 3 and "Cannot use the file" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_code_tables_are_replaced_from_a_file_the_demo_or_the_shipped_table(
    sqlite_url: str, tmp_path: Path
) -> None:
    def hospitals() -> object:
        return _scalar(sqlite_url, "SELECT count(*) FROM rights_codes WHERE kind = 'hospitals'")

    assert hospitals() == 0
    demo = _ucauth(sqlite_url, "data", "codes", "load", "hospitals", "--demo")
    assert demo.returncode == 0 and "154 codes loaded" in demo.stdout
    assert hospitals() == 154
    table = tmp_path / "hospitals.csv"
    table.write_text("code,name\n10689,รพ.อ่างทอง\n", "utf-8")
    assert _ucauth(sqlite_url, "data", "codes", "load", "hospitals", str(table)).returncode == 0
    assert _scalar(sqlite_url, "SELECT name FROM rights_codes WHERE code = '10689'") == "รพ.อ่างทอง"
    assert hospitals() == 1
    table.write_text("code,name\n10689,x\n1068,y\n", "utf-8")
    bad = _ucauth(sqlite_url, "data", "codes", "load", "hospitals", str(table))
    assert bad.returncode == 3 and "line 3" in bad.stderr and hospitals() == 1
    assert _ucauth(sqlite_url, "data", "codes", "load", "hospitals").returncode == 0
    assert hospitals() == 0
    assert _ucauth(sqlite_url, "data", "codes", "load", "titles", "--demo").returncode == 1


def test_an_out_of_date_database_is_refused(tmp_path: Path) -> None:
    result = _ucauth(f"sqlite:///{tmp_path / 'empty.db'}", "data", "codes", "load", "titles")
    assert result.returncode == 4 and "ucauth db upgrade" in result.stderr
