"""Pure pieces of the agent: NHSO-compatible values and the settings' hosts and origins."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ucauth.agent.nhso import thai_age
from ucauth.agent.settings import AgentSettings, load_agent_settings
from ucauth.card.model import BeDate
from ucauth.settings import SettingsError


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (BeDate("25300512", 1987, 5, 12), date(2026, 11, 25), "39 ปี 6 เดือน 13 วัน"),
        (BeDate("25300512", 1987, 5, 12), date(2026, 5, 12), "39 ปี 0 เดือน 0 วัน"),
        (BeDate("25300512", 1987, 5, 12), date(2026, 5, 11), "38 ปี 11 เดือน 29 วัน"),
        (BeDate("25300331", 1987, 3, 31), date(2026, 3, 1), "38 ปี 11 เดือน 1 วัน"),
        (BeDate("25300500", 1987, 5, None), date(2026, 11, 25), "39 ปี 6 เดือน"),
        (BeDate("25200000", 1977, None, None), date(2026, 11, 25), "49 ปี"),
        (BeDate("00000000"), date(2026, 11, 25), None),
    ],
)
def test_thai_age(birth: BeDate, today: date, age: str | None) -> None:
    assert thai_age(birth, today) == age


def test_hosts_and_origins(tmp_path: Path) -> None:
    settings = AgentSettings(
        data_dir=tmp_path, port=9000, allowed_origins=" HTTPS://HIS.example.org:443/app , "
    )
    assert settings.hosts == {"127.0.0.1:9000", "localhost:9000", "[::1]:9000"}
    assert settings.page_origins == {
        "http://127.0.0.1:9000",
        "http://localhost:9000",
        "http://[::1]:9000",
    }
    assert settings.origins == settings.page_origins | {"https://his.example.org"}


def test_bad_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UCAUTH_AGENT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(SettingsError, match="UCAUTH_AGENT_TIMEZONE"):
        load_agent_settings()
