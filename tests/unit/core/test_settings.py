from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from ucauth.settings import (
    InsecureSettingsError,
    ServerSettings,
    SettingsError,
    load_server_settings,
)

POSTGRES = "postgresql+psycopg://ucauth@db.example/ucauth"
KEY = SecretStr("k" * 32)


def test_sqlite_default_generates_a_key_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    settings = ServerSettings(data_dir=tmp_path / "data", database_url="", token_key=SecretStr(""))
    first = settings.secured()
    key_file = tmp_path / "data" / "token_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.token_key.get_secret_value()) >= 32
    assert settings.secured().token_key == first.token_key  # kept, not regenerated
    assert not [p for p in key_file.parent.iterdir() if p.name.startswith(".token_key")]


def test_sqlite_default_origin_is_the_bind_address(tmp_path: Path) -> None:
    settings = ServerSettings(data_dir=tmp_path, database_url="", host="10.0.0.5", port=9000)
    assert settings.public_origin() == "http://10.0.0.5:9000"
    assert ServerSettings(data_dir=tmp_path, origin="HTTPS://Ucauth.Example/").public_origin() == (
        "https://ucauth.example"
    )


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"token_key": SecretStr(""), "origin": "https://ucauth.example"}, "UCAUTH_TOKEN_KEY"),
        ({"token_key": SecretStr("short"), "origin": "https://ucauth.example"}, "UCAUTH_TOKEN_KEY"),
        ({"token_key": KEY, "origin": ""}, "UCAUTH_ORIGIN"),
        ({"token_key": KEY, "origin": "http://ucauth.example"}, "https"),
    ],
)
def test_postgresql_refuses_insecure_settings(changes: dict[str, object], problem: str) -> None:
    settings = ServerSettings(database_url=POSTGRES, **changes)  # type: ignore[arg-type]
    with pytest.raises(InsecureSettingsError) as raised:
        settings.secured()
    assert problem in raised.value.message("en")
    assert "docs/server.md" in raised.value.message("en")


def test_postgresql_accepts_a_loopback_http_origin_for_development() -> None:
    for origin in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        ServerSettings(database_url=POSTGRES, token_key=KEY, origin=origin).secured()


def test_bad_environment_values_are_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UCAUTH_TIMEZONE", "Mars/Olympus")
    with pytest.raises(SettingsError) as raised:
        load_server_settings()
    assert "UCAUTH_TIMEZONE" in raised.value.message("en")
    monkeypatch.setenv("UCAUTH_TIMEZONE", "Asia/Tokyo")
    monkeypatch.setenv("UCAUTH_ORIGIN", "ftp://x")
    with pytest.raises(SettingsError, match="UCAUTH_ORIGIN"):
        load_server_settings()


def test_environment_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {
        "UCAUTH_TOKEN_KEY": "z" * 40,
        "UCAUTH_ORIGIN": "https://ucauth.example",
        "UCAUTH_TIMEZONE": "UTC",
        "UCAUTH_PORT": "9001",
        "UCAUTH_DATA_DIR": str(tmp_path),
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_server_settings()
    assert (settings.timezone, settings.port, settings.origin) == (
        "UTC",
        9001,
        "https://ucauth.example",
    )
    assert settings.token_key.get_secret_value() == "z" * 40
    assert "z" * 40 not in repr(settings)
    assert os.environ["UCAUTH_DATA_DIR"] == str(settings.data_dir)
