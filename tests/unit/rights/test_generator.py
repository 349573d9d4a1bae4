from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

from ucauth.cid import is_valid_cid
from ucauth.codes import read_rows
from ucauth.randomness import SeededRandom
from ucauth.rights.columns import COLUMN_NAMES, RowValidator
from ucauth.rights.generator import REFERENCE_DAY, generate, write_csv
from ucauth.rights.thai_names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES

N = 20_000


def _rows(seed: int = 7, persons: int = N) -> list[dict[str, str]]:
    return [
        dict(zip(COLUMN_NAMES, row, strict=True)) for row in generate(persons, SeededRandom(seed))
    ]


ROWS = _rows()


def test_same_seed_same_file_other_seed_other_file(tmp_path: Path) -> None:
    first, again, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    write_csv(first, 500, 1)
    write_csv(again, 500, 1)
    write_csv(other, 500, 2)
    assert first.read_bytes() == again.read_bytes() != other.read_bytes()
    with first.open(encoding="utf-8") as source:
        assert next(csv.reader(source)) == list(COLUMN_NAMES)


def test_every_row_is_valid_with_a_unique_citizen_id() -> None:
    validator = RowValidator(list(COLUMN_NAMES))
    assert all(validator.problem(list(row.values())) is None for row in ROWS)
    ids = [row["person_id"] for row in ROWS]
    assert len(set(ids)) == N and all(is_valid_cid(pid) for pid in ids)


def test_a_realistic_mix_of_rights() -> None:
    mix = Counter(row["maininscl"] for row in ROWS)
    order = ["UCS", "SSS", "OFC", "LGO", "WEL"]
    counts = [mix[code] for code in order]
    assert counts == sorted(counts, reverse=True)
    assert 0.55 < mix["UCS"] / N < 0.65
    assert 0 < mix["DIS"] + mix["SSI"] + mix["PVT"] < mix["WEL"]


def test_some_pending_some_expired_some_deceased() -> None:
    pending = [row for row in ROWS if row["new_maininscl"]]
    expired = [row for row in ROWS if row["expdate"] and not row["death_date"]]
    deceased = [row for row in ROWS if row["death_date"]]
    for group, low, high in ((pending, 0.03, 0.07), (expired, 0.02, 0.06), (deceased, 0.005, 0.02)):
        assert low < len(group) / N < high
    assert all(row["new_startdate"] and row["new_date_register"] for row in pending)
    assert all(date.fromisoformat(row["expdate"]) < REFERENCE_DAY for row in expired)
    assert all(row["expdate"] == row["death_date"] for row in deceased)


def test_thai_names_and_titles_that_fit_sex_and_age() -> None:
    for row in ROWS[:2000]:
        male = row["sex"] == "1"
        assert row["fname"] in (MALE_GIVEN_NAMES if male else FEMALE_GIVEN_NAMES)
        assert row["lname"] in FAMILY_NAMES
        assert row["title"] in ({"001", "003"} if male else {"002", "004", "005"})
        age = REFERENCE_DAY.year - date.fromisoformat(row["birthdate"]).year
        if age <= 13 or age >= 17:  # children's titles up to 14
            assert (row["title"] in {"001", "002"}) == (age <= 13)


def test_sub_rights_fit_ages_and_hospitals_are_demo_hospitals() -> None:
    demo = {row["code"]: row["province"] for row in read_rows("demo_hospitals")}
    for row in ROWS:
        age = REFERENCE_DAY.year - date.fromisoformat(row["birthdate"]).year
        if row["subinscl"] == "89":
            assert 12 <= age <= 60
        if row["subinscl"] == "71":
            assert age <= 12
        for column in ("hmain", "hsub", "hmain_op", "new_hmain", "new_hsub"):
            if row[column]:
                assert row[column] in demo
        if row["hmain"]:
            assert demo[row["hmain"]] == row["purchaseprovince"] == row["primaryprovince"]
