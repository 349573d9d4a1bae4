"""``ucauth jobs``: run now (and dry run), list the runs, the 150-day report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.integration.cli.test_admin_cli import ucauth
from tests.support.factories import add_unit, add_user, cid_for
from ucauth.accounts.models import User, UserStatus
from ucauth.accounts.service import find_user


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"UCAUTH_DATABASE_URL": database_url, "UCAUTH_DATA_DIR": str(tmp_path / "data")}


def test_dry_run_lists_then_run_revokes_and_list_shows_the_runs(
    env: dict[str, str], session: Session
) -> None:
    add_unit(session)
    now = datetime.now(UTC)
    for number, days in ((1, 200), (2, 160), (3, 5)):
        add_user(session, cid_for(number))
        session.execute(
            update(User)
            .where(User.cid == cid_for(number))
            .values(activated_at=now - timedelta(days=days))
        )
    session.commit()
    report = ucauth("jobs", "inactive", "--csv", env=env)
    assert report.returncode == 0, report.stderr
    lines = report.stdout.splitlines()
    assert lines[0].startswith("cid,name,unit,region") and len(lines) == 3
    assert lines[1].startswith(cid_for(1)) and lines[2].startswith(cid_for(2))
    dry = ucauth("jobs", "run", "revoke-inactive", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert cid_for(1) in dry.stdout and cid_for(2) not in dry.stdout and "due=1" in dry.stdout
    assert find_user(session, cid_for(1)).status == UserStatus.ACTIVE
    done = ucauth("jobs", "run", "revoke-inactive", env=env)
    assert done.returncode == 0 and "succeeded revoked=1 tokens=0" in done.stdout
    session.expire_all()
    assert find_user(session, cid_for(1)).status == UserStatus.REVOKED
    assert ucauth("jobs", "run", "purge-tokens", env=env).returncode == 0
    listed = ucauth("jobs", "list", env=env)
    assert listed.returncode == 0
    assert listed.stdout.count("revoke-inactive") == 2 and "purge-tokens" in listed.stdout
    assert "(dry run)" in listed.stdout
    assert ucauth("jobs", "run", "nothing", env=env).returncode == 2
