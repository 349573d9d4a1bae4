from __future__ import annotations

import json
from pathlib import Path

import pytest

from ucauth.card.errors import InvalidProfileError
from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.profile import (
    bundled_profile_names,
    bundled_profiles_dir,
    load_named_profile,
    load_profile,
    resolve_profile,
)
from ucauth.cid import is_valid_cid

REQUIRED = {"normal", "unknown_birth", "lifetime", "atr_3b67", "pin_blocked", "expired"}


def test_the_shipped_profiles() -> None:
    names = set(bundled_profile_names())
    assert names >= REQUIRED
    for name in names:
        profile = load_named_profile(name)
        assert profile.name == name
        assert is_valid_cid(profile.cid), name
        VirtualThaiIdCard(profile)
    assert load_named_profile("atr_3b67").atr[:2] == bytes.fromhex("3B67")
    assert load_named_profile("pin_blocked").pin_tries_left == 0
    assert load_named_profile("lifetime").expiry_date == "99999999"
    assert load_named_profile("unknown_birth").birth_date.endswith("0000")


def test_resolve_profile_by_name_or_path(tmp_path: Path) -> None:
    assert resolve_profile("normal") == bundled_profiles_dir() / "normal.json"
    own = tmp_path / "mine.json"
    own.write_text("{}")
    assert resolve_profile(str(own)) == own
    with pytest.raises(InvalidProfileError, match="no such file"):
        resolve_profile("nonexistent")


def write(tmp_path: Path, **changes: object) -> Path:
    data = json.loads((bundled_profiles_dir() / "normal.json").read_text("utf-8"))
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None or k in ("nhso", "laser_id")}
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "normal.jpg").write_bytes((bundled_profiles_dir() / "normal.jpg").read_bytes())
    return path


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"cid": "12345"}, "cid"),
        ({"atr": "zz"}, "atr"),
        ({"pin": "12345"}, "pin"),
        ({"surprise": 1}, "surprise"),
        ({"pin_tries_left": 5, "pin_max_tries": 3}, "pin_tries_left"),
        ({"photo": "missing.jpg"}, "photo"),
        ({"chip_serial": "XYZ"}, "chip_serial"),
    ],
)
def test_invalid_profiles_are_refused_with_the_reason(
    tmp_path: Path, changes: dict[str, object], reason: str
) -> None:
    with pytest.raises(InvalidProfileError) as caught:
        load_profile(write(tmp_path, **changes))
    assert reason in str(caught.value)


def test_photo_must_be_a_small_jpeg(tmp_path: Path) -> None:
    path = write(tmp_path)
    (tmp_path / "normal.jpg").write_bytes(b"\xff\xd8" + bytes(6000))
    with pytest.raises(InvalidProfileError, match="JPEG"):
        load_profile(path)
    (tmp_path / "normal.jpg").write_bytes(b"GIF89a")
    with pytest.raises(InvalidProfileError, match="JPEG"):
        load_profile(path)


def test_text_that_does_not_fit_its_field(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, issuer="ก" * 101))
    with pytest.raises(InvalidProfileError, match="holds 100"):
        VirtualThaiIdCard(profile)


def test_text_that_is_not_tis620(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, issuer="東京"))
    with pytest.raises(InvalidProfileError, match="TIS-620"):
        VirtualThaiIdCard(profile)


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(InvalidProfileError):
        load_profile(path)
    with pytest.raises(InvalidProfileError, match="not found"):
        load_profile(tmp_path / "absent.json")
