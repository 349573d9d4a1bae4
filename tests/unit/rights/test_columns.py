from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ucauth.randomness import SeededRandom
from ucauth.rights.columns import COLUMN_NAMES, COLUMNS, RowValidator
from ucauth.rights.errors import (
    DateOrderError,
    FieldCountError,
    InvalidValueError,
    MissingValueError,
)
from ucauth.rights.generator import generate
from ucauth.rights.models import BeneficiaryRecord
from ucauth.rights.soap.response import DATASET_ELEMENTS

FORMATS = {column.name: column.format for column in COLUMNS}
GOOD = {
    "person_id": "3150300174300",
    "title": "003",
    "fname": "สมชาย",
    "sex": "1",
    "birthdate": "1983-09-12",
    "hmain": "10689",
    "maininscl": "UCS",
    "subinscl": "S1",
    "startdate": "2017-01-01",
    "new_date_register": "2024-12-20T10:15:00+07:00",
}


def test_columns_are_the_table_columns_in_order_with_their_lengths() -> None:
    table = BeneficiaryRecord.__table__
    assert [column.name for column in table.columns] == list(COLUMN_NAMES)
    for column in COLUMNS:
        longest = getattr(table.c[column.name].type, "length", None)
        probe = {"person_id": "3150300174300", "fname": "x"}.get(column.name)
        if longest and probe is None:
            # A value one longer than the column never passes validation.
            assert not column.format.accepts("1" * (longest + 1)), column.name


def test_column_names_are_dataset_elements_except_death_date() -> None:
    assert set(COLUMN_NAMES) - set(DATASET_ELEMENTS) == {"death_date"}


@pytest.mark.parametrize(
    ("column", "value", "ok"),
    [
        ("person_id", "3150300174300", True),
        ("person_id", "3150300174301", False),  # check digit
        ("person_id", "๓150300174300", False),  # Thai digit
        ("title", "003", True),
        ("title", "03", False),
        ("fname", "สมชาย, จูเนียร์", True),  # a comma, in a quoted field
        ("fname", "x" * 101, False),
        ("fname", "สม\u200bชาย", False),  # zero-width space: not printable
        ("fname", "สม\nชาย", False),
        ("sex", "2", True),
        ("sex", "3", False),
        ("birthdate", "1983-09-12", True),
        ("birthdate", "2526-09-12", False),  # a Buddhist-Era year
        ("birthdate", "1983-02-30", False),
        ("birthdate", "19830912", False),
        ("birthdate", "1849-12-31", False),
        ("birthdate", "1977-00-00", True),  # unknown month and day (BE 25200000)
        ("birthdate", "1977-03-00", True),  # unknown day
        ("birthdate", "1977-00-05", False),  # a day in an unknown month
        ("birthdate", "1977-13-00", False),
        ("death_date", "1977-00-00", False),  # only birth dates may be partly unknown
        ("hmain", "10689", True),
        ("hmain", "1068", False),
        ("maininscl", "UCS", True),
        ("maininscl", "ucs", False),
        ("maininscl", "TOOLONG", False),
        ("maininscl_main", "U", True),
        ("maininscl_main", "UU", False),
        ("primary_moo", "5", True),
        ("primary_moo", "005", False),
        ("new_date_register", "2024-12-20T10:15:00+07:00", True),
        ("new_date_register", "2024-12-20T10:15:00Z", True),
        ("new_date_register", "2024-12-20T10:15:00", False),  # no offset
        ("new_date_register", "2024-12-20", False),
    ],
)
def test_formats(column: str, value: str, ok: bool) -> None:
    assert FORMATS[column].accepts(value) is ok


def _row(header: list[str], **values: str) -> list[str]:
    return [values.get(name, "") for name in header]


def test_problems_name_the_column_and_what_was_expected() -> None:
    header = list(GOOD)
    validator = RowValidator(header)
    assert validator.problem(_row(header, **GOOD)) is None
    missing = validator.problem(_row(header, **{**GOOD, "fname": ""}))
    assert isinstance(missing, MissingValueError) and "fname" in missing.message("en")
    invalid = validator.problem(_row(header, **{**GOOD, "hmain": "1068"}))
    assert isinstance(invalid, InvalidValueError)
    assert invalid.message("en") == "hmain: invalid value, expected [0-9]{5,5}"
    short = validator.problem(_row(header, **GOOD)[:-1])
    assert isinstance(short, FieldCountError)
    assert short.message("en") == f"expected {len(header)} fields, found {len(header) - 1}"


def test_dates_in_the_wrong_order_are_refused() -> None:
    header = ["person_id", "fname", "startdate", "expdate", "birthdate", "death_date"]
    validator = RowValidator(header)
    row = _row(header, **GOOD, expdate="2016-12-31")
    problem = validator.problem(row)
    assert isinstance(problem, DateOrderError)
    assert problem.message("en") == "expdate is before startdate"
    assert validator.person_of_line(",".join(row)) is None
    died = _row(header, **GOOD, death_date="1983-09-11")
    assert isinstance(validator.problem(died), DateOrderError)
    assert validator.problem(_row(header, **GOOD, expdate="2017-01-01")) is None


def test_a_whole_line_is_accepted_as_field_by_field() -> None:
    header = list(COLUMN_NAMES)
    validator = RowValidator(header)
    row = _row(header, **GOOD)
    assert validator.person_of_line(",".join(row)) == GOOD["person_id"]
    assert validator.person_of_line(",".join(row) + ",") is None  # one field too many
    bad = _row(header, **{**GOOD, "birthdate": "1983-02-30"})
    assert validator.person_of_line(",".join(bad)) is None
    narrow = RowValidator(["fname", "person_id"])  # a single value to check
    assert narrow.person_of_line(f"x,{GOOD['person_id']}") == GOOD["person_id"]
    assert narrow.person_of_line("x,3150300174301") is None


GENERATED = [tuple(row) for row in generate(200, SeededRandom(3))]


@st.composite
def _rows(draw: st.DrawFn) -> tuple[str, ...]:
    """A generated row with up to three values replaced: emptied, or strings that match
    the column's pattern (often not valid: bad check digits, impossible dates...)."""
    row = list(draw(st.sampled_from(GENERATED)))
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(COLUMNS) - 1))
        pattern = COLUMNS[index].format.pattern
        row[index] = draw(st.one_of(st.just(""), st.from_regex(pattern, fullmatch=True)))
    return tuple(row)


@settings(max_examples=300)
@given(_rows())
def test_the_whole_line_check_agrees_with_the_field_by_field_check(values: tuple[str, ...]) -> None:
    validator = RowValidator(list(COLUMN_NAMES))
    line = ",".join(values)
    if "\n" in line or len(line.split(",")) != len(values):
        return  # not a line without quotes: the importer uses the csv module for it
    assert (validator.person_of_line(line) is not None) == (validator.problem(values) is None)
