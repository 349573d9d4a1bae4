"""``ucauth admin legacy`` and ``ucauth admin legacy-usage``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.integration.cli.test_admin_cli import ucauth
from tests.support.factories import add_unit
from ucauth.clock import SystemClock
from ucauth.lifecycle import legacy
from ucauth.tokens.service import TokenConfig


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"UCAUTH_DATABASE_URL": database_url, "UCAUTH_DATA_DIR": str(tmp_path / "data")}


def test_add_list_usage_remove(
    env: dict[str, str], session: Session, token_config: TokenConfig
) -> None:
    add_unit(session)
    added = subprocess.run(
        [sys.executable, "-m", "ucauth", "admin", "legacy", "add", "chk10670", "--unit", "10670",
         "--password-stdin"],
        input="fixed-pass\n",
        env={**os.environ, "UCAUTH_LANG": "en", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = ucauth("admin", "legacy", "list", env=env)
    assert "chk10670" in listed.stdout and "fixed-pass" not in listed.stdout
    bad = ucauth("admin", "legacy", "add", "user1", "--unit", "10670", "--password-stdin", env=env)
    assert bad.returncode == 5
    now = SystemClock().now()
    config = TokenConfig(
        token_config.key, token_config.origin, token_config.zone, now.replace(year=now.year + 1)
    )
    legacy.authenticate_legacy(
        session.connection(),
        config,
        "chk10670",
        "fixed-pass",
        now=now,
        client_address="x",
        channel="soap",
    )
    usage = ucauth("admin", "legacy-usage", "--csv", env=env)
    assert usage.returncode == 0, usage.stderr
    header, row = usage.stdout.splitlines()
    assert header.startswith("region,unit,unit name,username,uses,refusals")
    assert row.startswith("13,10670,") and ",chk10670,1,0," in row
    assert ucauth("admin", "legacy", "remove", "chk10670", env=env).returncode == 0
    assert ucauth("admin", "legacy", "remove", "chk10670", env=env).returncode == 6


def test_a_bad_sunset_setting_is_a_settings_error(env: dict[str, str]) -> None:
    result = ucauth("admin", "legacy-usage", env={**env, "UCAUTH_LEGACY_LOGIN_UNTIL": "soon"})
    assert result.returncode == 3 and "UCAUTH_LEGACY_LOGIN_UNTIL" in result.stderr
