"""The operator-replaceable code tables: right codes, hospitals, titles and nations.

Each kind has a default shipped in ``ucauth/codes/data/<kind>.csv`` (loaded by the migration)
and can be replaced as a whole from a CSV file with ``code`` and ``name`` columns (other columns
are ignored; an empty name means "known code, name unknown"). Names are never invented: a code
without a name is shown as the code itself. Provinces and regions are fixed facts read from
``ucauth.codes``, not tables in the database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from ucauth.codes import read_rows
from ucauth.rights.columns import HCODE, RIGHT_CODE, Format, Text, digits
from ucauth.rights.errors import CodeTableError, ImportFileError, NoDemoTableError
from ucauth.rights.models import CodeName


class CodeKind(StrEnum):
    """A code table; the value names it on the command line and in the database."""

    MAIN_RIGHTS = "main-rights"
    SUB_RIGHTS = "sub-rights"
    HOSPITALS = "hospitals"
    TITLES = "titles"
    NATIONS = "nations"

    @property
    def shipped_name(self) -> str:
        """The name of the shipped default table in ``ucauth/codes/data``."""
        return self.value.replace("-", "_")


CODE_FORMATS: dict[CodeKind, Format] = {
    CodeKind.MAIN_RIGHTS: RIGHT_CODE,
    CodeKind.SUB_RIGHTS: RIGHT_CODE,
    CodeKind.HOSPITALS: HCODE,
    CodeKind.TITLES: digits(3, 3),
    CodeKind.NATIONS: digits(3, 3),
}
NAME_FORMAT = Text(255)
DEMO_HOSPITALS = "demo_hospitals"


@dataclass(frozen=True)
class CodeEntry:
    code: str
    name: str | None


def parse_entries(
    kind: CodeKind, rows: Iterable[Mapping[str, str | None]], source: str
) -> list[CodeEntry]:
    """Validated entries from CSV rows (dicts with ``code`` and ``name``); raises CodeTableError."""
    code_format = CODE_FORMATS[kind]
    entries: list[CodeEntry] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        code, name = row.get("code") or "", row.get("name") or ""
        if not code_format.accepts(code):
            reason = f"code {code[:20]!r}: expected {code_format.expected}"
        elif code in seen:
            reason = f"code {code} appears twice"
        elif name and not NAME_FORMAT.accepts(name):
            reason = f"name: expected {NAME_FORMAT.expected}"
        else:
            seen.add(code)
            entries.append(CodeEntry(code, name or None))
            continue
        raise CodeTableError(path=source, line=line, reason=reason)
    return entries


def read_code_file(kind: CodeKind, path: Path) -> list[CodeEntry]:
    """The validated entries of a code table file (UTF-8 CSV, header with code and name)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFileError(path=str(path), reason=str(error)) from error
    reader = csv.DictReader(io.StringIO(text))
    if not {"code", "name"} <= set(reader.fieldnames or ()):
        raise CodeTableError(path=str(path), line=1, reason="the header needs code and name")
    return parse_entries(kind, reader, str(path))


def shipped_entries(kind: CodeKind) -> list[CodeEntry]:
    """The default table of ``kind`` shipped with ucauth."""
    return parse_entries(kind, read_rows(kind.shipped_name), f"{kind.shipped_name}.csv")


def demo_entries(kind: CodeKind) -> list[CodeEntry]:
    """The synthetic demo table of ``kind``; only hospitals has one."""
    if kind is not CodeKind.HOSPITALS:
        raise NoDemoTableError(kind=kind.value)
    return parse_entries(kind, read_rows(DEMO_HOSPITALS), f"{DEMO_HOSPITALS}.csv")


def replace_code_table(session: Session, kind: CodeKind, entries: list[CodeEntry]) -> None:
    """Replace every entry of ``kind`` with ``entries`` (in the caller's transaction)."""
    session.execute(delete(CodeName).where(CodeName.kind == kind.value))
    if entries:
        session.execute(
            insert(CodeName),
            [{"kind": kind.value, "code": e.code, "name": e.name} for e in entries],
        )
