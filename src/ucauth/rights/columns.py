"""The columns of a beneficiary: names, formats and the validation of one row of an import file.

Column names are the ``nhsoDataSetC1`` element names (plus ``death_date``), and they are the
same in the import CSV, in the ``beneficiaries`` table and in the SOAP response. In a CSV an
empty value means "none". Dates are ISO ``YYYY-MM-DD`` in the Common Era (a birth date may
have ``00`` for an unknown month or day); the one date-time, ``new_date_register``, is ISO-8601
with a UTC offset.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from ucauth.cid import is_valid_cid
from ucauth.rights.errors import (
    DateOrderError,
    FieldCountError,
    InvalidValueError,
    MissingValueError,
    RowRejection,
)

# Years outside this range are refused: a year of 2400 or more is almost surely a Buddhist-Era
# year written where the Common Era is expected (2400 BE = 1857 CE).
FIRST_YEAR, LAST_YEAR = 1850, 2399
_YEAR = "(?:18[5-9][0-9]|19[0-9][0-9]|2[0-3][0-9][0-9])"


class Format(Protocol):
    """What a column accepts.

    ``pattern`` is a regular expression for one value that never matches a comma (so that a
    whole CSV line can be checked with one expression), ``valid`` a further check that a pattern
    cannot express (a check digit, a real calendar date), ``expected`` a language-neutral
    description for messages, and ``accepts`` the complete check of one value.
    """

    @property
    def pattern(self) -> str: ...

    @property
    def expected(self) -> str: ...

    @property
    def valid(self) -> Callable[[str], bool] | None: ...

    def accepts(self, value: str) -> bool: ...


@dataclass(frozen=True)
class Pattern:
    """A value that matches ``pattern`` and passes ``valid``, if given."""

    pattern: str
    expected: str
    valid: Callable[[str], bool] | None = None
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern))

    def accepts(self, value: str) -> bool:
        return self._regex.fullmatch(value) is not None and (
            self.valid is None or self.valid(value)
        )


@dataclass(frozen=True)
class Text:
    """Printable text (no control or format characters) of up to ``longest`` characters.

    In a CSV line without quotes a value cannot hold a comma, hence the pattern; a quoted
    value may.
    """

    longest: int
    valid: None = None

    @property
    def pattern(self) -> str:
        return f"[^,]{{1,{self.longest}}}"

    @property
    def expected(self) -> str:
        return f"printable text of at most {self.longest} characters"

    def accepts(self, value: str) -> bool:
        return len(value) <= self.longest and value.isprintable()


def digits(shortest: int, longest: int) -> Pattern:
    return Pattern(f"[0-9]{{{shortest},{longest}}}", f"[0-9]{{{shortest},{longest}}}")


def code(longest: int) -> Pattern:
    """Capital ASCII letters and digits (right codes, paid models...)."""
    return Pattern(f"[A-Z0-9]{{1,{longest}}}", f"[A-Z0-9]{{1,{longest}}}")


def choice(*values: str) -> Pattern:
    return Pattern("|".join(re.escape(v) for v in values), "|".join(values))


def _calendar_date(value: str) -> bool:
    """Whether a ``YYYY-MM-DD`` that matched the pattern is a real day (not 30 February)."""
    if value[8:] <= "28":  # the pattern allows months 01-12 and days 01-31 only
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _date_time(value: str) -> bool:
    try:
        return FIRST_YEAR <= datetime.fromisoformat(value).year <= LAST_YEAR
    except ValueError:
        return False


CITIZEN_ID = Pattern("[0-9]{13}", "13 digits with a valid check digit", is_valid_cid)
DATE = Pattern(
    f"{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])",
    f"YYYY-MM-DD, year {FIRST_YEAR}-{LAST_YEAR} (CE)",
    _calendar_date,
)
# Birth dates may have an unknown day, or month and day, written 00 (registry data does).
BIRTH_DATE = Pattern(
    f"{_YEAR}-(?:00-00|(?:0[1-9]|1[0-2])-(?:0[0-9]|[12][0-9]|3[01]))",
    f"YYYY-MM-DD, year {FIRST_YEAR}-{LAST_YEAR} (CE), 00 for an unknown month or day",
    _calendar_date,
)
DATE_TIME = Pattern(
    "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]{1,6})?)?"
    "(?:Z|[+-][0-9]{2}:[0-9]{2})",
    "ISO-8601 date and time with a UTC offset, e.g. 2024-12-20T10:15:00+07:00",
    _date_time,
)


@dataclass(frozen=True)
class Column:
    name: str
    format: Format
    required: bool = False


HCODE = digits(5, 5)
PROVINCE = digits(4, 4)
RIGHT_CODE = code(5)
NAME = Text(100)


def _right_columns(prefix: str) -> tuple[Column, ...]:
    """The columns a right has, current (no prefix) or pending (prefix ``new_``)."""
    return (
        Column(f"{prefix}maininscl", RIGHT_CODE),
        Column(f"{prefix}subinscl", RIGHT_CODE),
        Column(f"{prefix}hmain", HCODE),
        Column(f"{prefix}hsub", HCODE),
        Column(f"{prefix}hmain_op", HCODE),
        Column(f"{prefix}purchaseprovince", PROVINCE),
        Column(f"{prefix}startdate", DATE),
        Column(f"{prefix}expdate", DATE),
        Column(f"{prefix}paid_model", code(10)),
        Column(f"{prefix}mastercup_id", code(20)),
    )


COLUMNS: tuple[Column, ...] = (
    Column("person_id", CITIZEN_ID, required=True),
    Column("title", digits(3, 3)),
    Column("fname", NAME, required=True),
    Column("lname", NAME),
    Column("sex", choice("1", "2")),
    Column("birthdate", BIRTH_DATE),
    Column("nation", digits(3, 3)),
    Column("death_date", DATE),
    Column("primaryprovince", PROVINCE),
    Column("primary_amphur_name", NAME),
    Column("primary_tumbon_name", NAME),
    Column("primary_mooban_name", NAME),
    Column("primary_moo", digits(1, 2)),
    *_right_columns(""),
    Column("maininscl_main", choice(*string.ascii_uppercase)),
    Column("startdate_sss", DATE),
    Column("cardid", Text(30)),
    *_right_columns("new_"),
    Column("new_date_register", DATE_TIME),
    Column("new_type_register", code(10)),
    Column("new_type_register_desc", Text(200)),
    Column("new_staffname", Text(200)),
)
COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
REQUIRED: frozenset[str] = frozenset(column.name for column in COLUMNS if column.required)
DATE_TIME_COLUMNS = frozenset(c.name for c in COLUMNS if c.format is DATE_TIME)

# (earlier, later): the later date may not be before the earlier one.
DATE_ORDER: tuple[tuple[str, str], ...] = (
    ("birthdate", "death_date"),
    ("startdate", "expdate"),
    ("new_startdate", "new_expdate"),
)


class RowValidator:
    """Checks the rows of a file laid out as its header says (known column names only).

    ``person_of_line`` checks a whole CSV line without quotes at once, with one regular
    expression made of the columns' patterns, then the ``valid`` checks; ``problem`` checks
    fields one by one and tells what is wrong. Both apply the same formats.
    """

    def __init__(self, header: Sequence[str]) -> None:
        by_name = {column.name: column for column in COLUMNS}
        columns = [by_name[name] for name in header]
        self.width = len(columns)
        self._columns = [(column.format.accepts, column) for column in columns]
        # One group per column; atomic, as a value never holds the comma that must follow.
        self._line = re.compile(
            ",".join(
                f"((?>{c.format.pattern}))" if c.required else f"((?>(?:{c.format.pattern})?))"
                for c in columns
            )
        )
        # The columns with a ``valid`` check (the citizen ID, dates): the only values a whole
        # line check takes out of the match.
        checks = [(i, valid) for i, c in enumerate(columns) if (valid := c.format.valid)]
        checked = [index for index, _ in checks]
        self._groups = [index + 1 for index in checked]
        self._valid = [(valid, at) for at, (_, valid) in enumerate(checks)]
        self._person = checked.index(header.index("person_id"))
        position = {name: index for index, name in enumerate(header)}
        self._order = [
            (position[earlier], position[later], earlier, later)
            for earlier, later in DATE_ORDER
            if earlier in position and later in position
        ]
        self._checked_order = [
            (checked.index(first), checked.index(second), earlier, later)
            for first, second, earlier, later in self._order
        ]

    def person_of_line(self, line: str) -> str | None:
        """The ``person_id`` of an acceptable line (no quotes, no line break), else None."""
        match = self._line.fullmatch(line)
        if match is None or not line.isprintable():
            return None
        values = match.group(*self._groups) if len(self._groups) > 1 else (match[self._groups[0]],)
        for valid, at in self._valid:
            if values[at] and not valid(values[at]):
                return None
        if _misordered(values, self._checked_order):
            return None
        return str(values[self._person])

    def problem(self, fields: Sequence[str]) -> RowRejection | None:
        """Why the row cannot be loaded, or None when it can."""
        if len(fields) != self.width:
            return FieldCountError(expected=self.width, found=len(fields))
        for value, (accepts, column) in zip(fields, self._columns, strict=True):
            if value:
                if not accepts(value):
                    return InvalidValueError(column=column.name, expected=column.format.expected)
            elif column.required:
                return MissingValueError(column=column.name)
        if order := _misordered(fields, self._order):
            return DateOrderError(earlier=order[0], later=order[1])
        return None


def _misordered(
    values: Sequence[str], order: list[tuple[int, int, str, str]]
) -> tuple[str, str] | None:
    """The first (earlier, later) pair of date columns whose dates are the wrong way round."""
    for first, second, earlier, later in order:
        # ISO dates compare in calendar order as plain strings.
        if values[first] and values[second] and values[second] < values[first]:
            return earlier, later
    return None
