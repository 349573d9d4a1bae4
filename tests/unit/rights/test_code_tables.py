from __future__ import annotations

from pathlib import Path

import pytest

from ucauth.codes import provinces
from ucauth.rights.code_tables import (
    CodeEntry,
    CodeKind,
    demo_entries,
    read_code_file,
    shipped_entries,
)
from ucauth.rights.errors import CodeTableError, ImportFileError, NoDemoTableError


def _names(kind: CodeKind) -> dict[str, str | None]:
    return {entry.code: entry.name for entry in shipped_entries(kind)}


def test_main_rights_have_only_the_names_the_reference_gives() -> None:
    names = _names(CodeKind.MAIN_RIGHTS)
    assert set(names) == {"UCS", "WEL", "DIS", "SSS", "SSI", "OFC", "LGO", "PVT"}
    named = {code: name for code, name in names.items() if name}
    assert named == {"UCS": "สิทธิหลักประกันสุขภาพแห่งชาติ", "SSS": "สิทธิประกันสังคม"}


def test_sub_rights_are_the_reference_codes_named_only_where_it_names_them() -> None:
    names = _names(CodeKind.SUB_RIGHTS)
    assert len(names) == 65
    assert {"89", "71", "77", "D1", "S1", "S6", "O5", "E3", "G6", "B6", "C6", "L9", "P3"} <= set(
        names
    )
    assert {code: name for code, name in names.items() if name} == {"89": "ช่วงอายุ 12-59 ปี"}


def test_titles_nations_and_the_empty_real_hospital_table() -> None:
    titles = _names(CodeKind.TITLES)
    assert titles["001"] == "ด.ช." and titles["003"] == "นาย"
    assert set(titles) == {"001", "002", "003", "004", "005"}
    assert _names(CodeKind.NATIONS) == {"099": "ไทย"}
    assert shipped_entries(CodeKind.HOSPITALS) == []


def test_demo_hospitals_are_obviously_synthetic_in_their_own_code_range() -> None:
    entries = demo_entries(CodeKind.HOSPITALS)
    assert len(entries) == 2 * len(provinces())
    assert all(99001 <= int(e.code) <= 99177 for e in entries)
    assert all(e.name and "สาธิต" in e.name for e in entries)
    with pytest.raises(NoDemoTableError):
        demo_entries(CodeKind.TITLES)


def test_a_code_file_needs_code_and_name_and_ignores_other_columns(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("\ufeffcode,name,province\n10689,รพ.อ่างทอง,1500\n11582,,1000\n", "utf-8")
    assert read_code_file(CodeKind.HOSPITALS, path) == [
        CodeEntry("10689", "รพ.อ่างทอง"),
        CodeEntry("11582", None),
    ]


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ("hcode,name\n10689,x\n", 1, "the header needs code and name"),
        ("code,name\n10689,x\n1068,y\n", 3, "expected [0-9]{5,5}"),
        ("code,name\n10689,x\n10689,y\n", 3, "appears twice"),
        ("code,name\n10689,x\ty\n", 2, "name: expected printable text"),
    ],
)
def test_a_bad_code_file_is_refused_with_its_line(
    tmp_path: Path, content: str, line: int, reason: str
) -> None:
    path = tmp_path / "h.csv"
    path.write_text(content, "utf-8")
    with pytest.raises(CodeTableError) as raised:
        read_code_file(CodeKind.HOSPITALS, path)
    assert raised.value.params["line"] == line
    assert reason in raised.value.message("en")


def test_a_missing_code_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError):
        read_code_file(CodeKind.TITLES, tmp_path / "nope.csv")
