from __future__ import annotations

from ucauth.codes import provinces, regions


def test_thirteen_regions_and_77_provinces_each_in_a_region() -> None:
    assert sorted(regions()) == list(range(1, 14))
    assert len(provinces()) == 77
    assert {p.region for p in provinces().values()} == set(regions())
    assert provinces()["1000"].name_en == "Bangkok"
    assert provinces()["1500"].region == 4
    assert all(len(code) == 4 and code.endswith("00") for code in provinces())
