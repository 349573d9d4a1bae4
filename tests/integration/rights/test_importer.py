from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.support.rights import normalized, read_csv, stored_rows, write_csv
from ucauth.db import make_engine
from ucauth.randomness import SeededRandom
from ucauth.rights import importer
from ucauth.rights.columns import COLUMN_NAMES
from ucauth.rights.errors import ImportFileError, ImportHeaderError
from ucauth.rights.generator import generate
from ucauth.rights.importer import ImportResult, import_beneficiaries
from ucauth.rights.rest import right_search_response
from ucauth.rights.service import find_beneficiary
from ucauth.rights.soap import dataset
from ucauth.thaidate import PartialDate

NOW = datetime(2025, 1, 31, 3, 0, tzinfo=UTC)
ROWS = [dict(zip(COLUMN_NAMES, row, strict=True)) for row in generate(300, SeededRandom(11))]


def _import(url: str, source: Path, **options: object) -> ImportResult:
    engine = make_engine(url)
    try:
        return import_beneficiaries(
            engine,
            source,
            reject_file=source.with_suffix(".rejects.csv"),
            **options,  # type: ignore[arg-type]
        )
    finally:
        engine.dispose()


def _expected(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["person_id"]: normalized(row) for row in rows}


def test_a_generated_file_loads_whole_in_small_batches(database_url: str, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "people.csv", ROWS)
    seen: list[tuple[int, int]] = []
    result = _import(database_url, source, batch_size=64, progress=lambda b, r: seen.append((b, r)))
    assert result == ImportResult(rows=300, loaded=300, rejected=0, reject_file=None)
    assert stored_rows(database_url) == _expected(ROWS)
    assert [rows for _, rows in seen] == [64, 128, 192, 256, 300]
    assert seen[-1][0] == source.stat().st_size
    assert not source.with_suffix(".rejects.csv").exists()


def test_bad_rows_go_to_the_reject_file_good_rows_load(database_url: str, tmp_path: Path) -> None:
    good = ROWS[:3]
    bad_cid = {**ROWS[3], "person_id": ROWS[3]["person_id"][:12] + "0"}
    if bad_cid["person_id"] == ROWS[3]["person_id"]:
        bad_cid["person_id"] = ROWS[3]["person_id"][:12] + "1"
    bad_date = {**ROWS[4], "birthdate": "2526-09-12"}
    bad_code = {**ROWS[5], "hmain": "ABCDE"}
    no_name = {**ROWS[6], "fname": ""}
    source = write_csv(
        tmp_path / "mixed.csv", [good[0], bad_cid, good[1], bad_date, bad_code, no_name, good[2]]
    )
    with source.open("a", encoding="utf-8") as out:
        out.write("1234567890123,too,few\n\n")  # and a blank line, which is skipped
    result = _import(database_url, source, lang="en")
    assert (result.rows, result.loaded, result.rejected) == (8, 3, 5)
    assert stored_rows(database_url) == _expected(good)
    assert result.reject_file is not None
    rejects = read_csv(result.reject_file)
    assert [(r["line"], r["reason"]) for r in rejects] == [
        ("3", "person_id: invalid value, expected 13 digits with a valid check digit"),
        (
            "5",
            "birthdate: invalid value, expected YYYY-MM-DD, year 1850-2399 (CE), "
            "00 for an unknown month or day",
        ),
        ("6", "hmain: invalid value, expected [0-9]{5,5}"),
        ("7", "fname: a value is required"),
        ("9", f"expected {len(COLUMN_NAMES)} fields, found 3"),
    ]
    assert (
        rejects[1]["birthdate"] == "2526-09-12" and rejects[1]["person_id"] == ROWS[4]["person_id"]
    )


def test_reimport_is_idempotent_and_replaces_whole_rows(database_url: str, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "first.csv", ROWS)
    _import(database_url, first)
    _import(database_url, first)
    assert stored_rows(database_url) == _expected(ROWS)
    pending = next(row for row in ROWS if row["new_maininscl"])
    changed = [
        {**pending, "fname": "ใหม่", "hmain": "11582", **dict.fromkeys(COLUMN_NAMES[26:], "")},
        {**ROWS[0], "lname": "เปลี่ยน"},
    ]
    # Only some columns: the others become empty, as the file says nothing of them.
    narrow = ["person_id", "fname", "lname"]
    third = {"person_id": ROWS[1]["person_id"], "fname": "แคบ", "lname": "สั้น"}
    write_csv(tmp_path / "second.csv", changed)
    write_csv(tmp_path / "third.csv", [third], header=narrow)
    _import(database_url, tmp_path / "second.csv", batch_size=1)
    _import(database_url, tmp_path / "third.csv")
    expected = _expected(ROWS)
    expected.update(_expected([*changed, third]))
    assert stored_rows(database_url) == expected
    assert expected[pending["person_id"]]["new_maininscl"] == ""


def test_within_a_file_the_last_row_of_a_person_wins(database_url: str, tmp_path: Path) -> None:
    rows = [ROWS[0], {**ROWS[0], "fname": "ที่สอง"}, ROWS[1], {**ROWS[0], "fname": "ที่สาม"}]
    for batch_size in (2, 100):
        result = _import(
            database_url, write_csv(tmp_path / "twice.csv", rows), batch_size=batch_size
        )
        assert result.loaded == 4
        assert stored_rows(database_url)[ROWS[0]["person_id"]]["fname"] == "ที่สาม"


def test_birth_dates_with_unknown_parts_load_and_come_back(
    database_url: str, tmp_path: Path
) -> None:
    """Registry data has birth dates like BE 25200000; SOAP gives them back as such, REST
    leaves the unknown parts out."""
    year_only = {**ROWS[0], "birthdate": "1977-00-00"}
    month_known = {**ROWS[1], "birthdate": "1977-03-00", "fname": 'quoted, "so" parsed per field'}
    result = _import(database_url, write_csv(tmp_path / "partial.csv", [year_only, month_known]))
    assert result.loaded == 2
    engine = make_engine(database_url)
    with Session(engine) as session:
        first = find_beneficiary(session, year_only["person_id"])
        second = find_beneficiary(session, month_known["person_id"])
    engine.dispose()
    assert first is not None and second is not None
    assert (first.birthdate, second.birthdate) == (PartialDate(1977), PartialDate(1977, 3))
    assert dataset(first)["birthdate"] == "25200000"
    assert dataset(second)["birthdate"] == "25200300"
    assert right_search_response(first, checked_at=NOW).birth_date == "2520"
    assert right_search_response(second, checked_at=NOW).birth_date == "มีนาคม 2520"


def test_quotes_bom_crlf_and_commas_in_text(database_url: str, tmp_path: Path) -> None:
    row = {**ROWS[0], "primary_mooban_name": 'บ้าน "สาธิต", หมู่ 1', "lname": ""}
    source = write_csv(tmp_path / "quoted.csv", [row, ROWS[1]])
    text = source.read_text("utf-8").replace("\n", "\r\n")
    source.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = _import(database_url, source)
    assert result.loaded == 2
    assert stored_rows(database_url) == _expected([row, ROWS[1]])


def test_bytes_that_are_not_utf8_are_rejected_not_fatal(database_url: str, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "bytes.csv", ROWS[:2])
    data = source.read_bytes().replace(ROWS[0]["fname"].encode(), b"\xff\xfe", 1)
    source.write_bytes(data)
    result = _import(database_url, source, lang="en")
    assert (result.loaded, result.rejected) == (1, 1)
    assert result.reject_file is not None
    assert result.reject_file.read_bytes().count(b"\xff\xfe") == 1


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("", "the file is empty"),
        ("person_id,fname,hmian", "unknown columns: hmian"),
        ("person_id,fname,fname", "a column appears twice"),
        ("person_id,lname", "missing columns: fname"),
    ],
)
def test_an_unusable_header_changes_nothing(
    database_url: str, tmp_path: Path, header: str, reason: str
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(f"{header}\n{ROWS[0]['person_id']},x,y\n", "utf-8")
    with pytest.raises(ImportHeaderError) as raised:
        _import(database_url, source)
    assert reason in raised.value.message("en")
    assert stored_rows(database_url) == {}


def test_a_missing_file_changes_nothing(database_url: str, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError):
        _import(database_url, tmp_path / "nope.csv")


def test_the_reader_process_gives_the_same_result(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "READER_PROCESS_MIN_BYTES", 0)
    rows = [*ROWS, {**ROWS[0], "person_id": "1234567890123"}]
    result = _import(database_url, write_csv(tmp_path / "all.csv", rows), batch_size=50)
    assert (result.rows, result.loaded, result.rejected) == (301, 300, 1)
    assert stored_rows(database_url) == _expected(ROWS)


def test_an_error_in_the_reader_process_reaches_the_caller(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "READER_PROCESS_MIN_BYTES", 0)
    source = write_csv(tmp_path / "one.csv", [{**ROWS[0], "person_id": "1234567890123"}])
    engine = make_engine(database_url)
    with pytest.raises(ImportFileError):
        import_beneficiaries(engine, source, reject_file=tmp_path / "no-such-dir" / "r.csv")
    engine.dispose()
