"""``ucauth admin requests``: list, show, approve, reject, as an operator runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.integration.cli.test_admin_cli import ucauth
from tests.support.factories import add_unit, cid_for
from tests.support.server import START
from ucauth.accounts.models import UserStatus
from ucauth.accounts.service import find_user
from ucauth.lifecycle import service
from ucauth.randomness import SeededRandom


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"UCAUTH_DATABASE_URL": database_url, "UCAUTH_DATA_DIR": str(tmp_path / "data")}


def request_for(session: Session, number: int) -> str:
    form = service.RequestForm(
        cid_for(number), "Somying", "Rakngan", "10670", "clerk", "0812345678", "a@b.co", "work"
    )
    request = service.submit_request(
        session, form, now=START, random=SeededRandom(number), client_address="10.0.0.1"
    )
    return request.reference


def test_list_show_approve_reject(env: dict[str, str], session: Session) -> None:
    add_unit(session)
    first, second = request_for(session, 1), request_for(session, 2)
    listed = ucauth("admin", "requests", "list", env=env)
    assert listed.returncode == 0 and first in listed.stdout and second in listed.stdout
    shown = ucauth("admin", "requests", "show", first, env=env)
    assert f"cid: {cid_for(1)}" in shown.stdout and "email: a@b.co" in shown.stdout
    approved = ucauth("admin", "requests", "approve", first, env=env)
    assert approved.returncode == 0, approved.stderr
    assert find_user(session, cid_for(1)).status == UserStatus.ACTIVE
    rejected = ucauth("admin", "requests", "reject", second, "--reason", "unknown", env=env)
    assert rejected.returncode == 0
    again = ucauth("admin", "requests", "approve", second, env=env)
    assert again.returncode == 8 and "decided already (rejected)" in again.stderr
    missing = ucauth("admin", "requests", "show", "AAAAA-AAAAA", env=env)
    assert missing.returncode == 6
    region_2 = ucauth("admin", "requests", "list", "--status", "all", "--region", "2", env=env)
    assert first not in region_2.stdout
