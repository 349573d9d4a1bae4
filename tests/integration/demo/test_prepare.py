"""The demo's data: seeded once (accounts, code names, beneficiaries and the examples), reused
by the next run, whose clerk is made active again if the daily job revoked it meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ucauth.accounts import service as accounts
from ucauth.accounts.models import User, UserStatus
from ucauth.db import make_engine
from ucauth.demo.run import DemoOptions, prepare
from ucauth.rights.service import find_beneficiary


def test_seeded_once_then_reused_with_the_clerk_active(tmp_path: Path) -> None:
    said: list[str] = []
    options = DemoOptions(tmp_path / "demo", persons=200, lang="en")
    people = prepare(options, progress=lambda *_: None, say=said.append)
    engine = make_engine(f"sqlite:///{options.data_dir / 'ucauth.db'}")
    try:
        with Session(engine) as session:
            found = find_beneficiary(session, people.found)
            pending = find_beneficiary(session, people.pending)
            assert found is not None and found.right is not None
            assert pending is not None and pending.new_right is not None
            assert find_beneficiary(session, people.generated) is not None
            assert find_beneficiary(session, people.nobody) is None
            accounts.revoke_user(
                session, people.clerk, reason="inactive", actor="cli:test", now=datetime.now(UTC)
            )
        assert prepare(options, progress=lambda *_: None, say=said.append) == people
        assert said[0].startswith("Seeding") and said[1].startswith("Reusing")
        with Session(engine) as session:
            clerk = session.scalar(select(User).where(User.cid == people.clerk))
            assert clerk is not None and clerk.status == UserStatus.ACTIVE
    finally:
        engine.dispose()
