"""Reference code tables shipped with ucauth (CSV files in ``ucauth/codes/data``).

Regions and provinces are fixed facts and are read from the package. Tables an operator may
replace (rights, hospitals, titles) are loaded into the database by the rights registry; their
shipped defaults live here too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Region:
    """One of NHSO's 13 regional offices."""

    number: int
    name_th: str
    name_en: str


@dataclass(frozen=True)
class Province:
    """A province with its 4-digit code as NHSO writes it (``1000`` = Bangkok)."""

    code: str
    name_th: str
    name_en: str
    region: int


def read_rows(name: str) -> list[dict[str, str]]:
    """The rows of the shipped table ``data/<name>.csv``."""
    text = resources.files("ucauth.codes").joinpath("data", f"{name}.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def regions() -> dict[int, Region]:
    """The 13 regions by number."""
    return {
        int(row["number"]): Region(int(row["number"]), row["name_th"], row["name_en"])
        for row in read_rows("regions")
    }


@cache
def provinces() -> dict[str, Province]:
    """The 77 provinces by 4-digit code."""
    return {
        row["code"]: Province(row["code"], row["name_th"], row["name_en"], int(row["region"]))
        for row in read_rows("provinces")
    }
