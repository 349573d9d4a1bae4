"""``ucauth admin audit``: who looked up a patient, what a staff member did, by day."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.integration.cli.test_admin_cli import ucauth
from tests.support.factories import cid_for
from ucauth.audit.service import Action, Event, record

STAFF, OTHER_STAFF, PATIENT, OTHER_PATIENT = cid_for(1), cid_for(2), cid_for(3), cid_for(4)
MIDNIGHT = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # 25 November 00:00 in Bangkok


@pytest.fixture
def env(database_url: str, tmp_path: Path, session: Session) -> dict[str, str]:
    def lookup(actor: str, patient: str, at: datetime, wsid: str) -> None:
        event = Event(
            Action.RIGHTS_LOOKUP,
            actor=actor,
            reason="found",
            subject_cid=patient,
            agent_id=7,
            unit_hcode="10670",
            client_address="10.0.0.5",
            channel="soap",
            wsid=wsid,
        )
        record(session, at, event)

    lookup(STAFF, PATIENT, MIDNIGHT - timedelta(minutes=30), "WS000000000000001")  # 24th
    lookup(STAFF, PATIENT, MIDNIGHT + timedelta(minutes=30), "WS000000000000002")  # 25th
    lookup(OTHER_STAFF, PATIENT, MIDNIGHT + timedelta(hours=23, minutes=59), "WS000000000000003")
    lookup(STAFF, PATIENT, MIDNIGHT + timedelta(days=1), "WS000000000000004")  # 26th, 00:00
    lookup(STAFF, OTHER_PATIENT, MIDNIGHT, "WS000000000000005")
    record(session, MIDNIGHT, Event(Action.LOGIN, actor=STAFF, subject_cid=STAFF, agent_id=7))
    session.commit()
    return {"UCAUTH_DATABASE_URL": database_url, "UCAUTH_DATA_DIR": str(tmp_path / "data")}


def _csv(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def test_who_looked_up_a_patient(env: dict[str, str]) -> None:
    done = ucauth("admin", "audit", "--patient", PATIENT, "--csv", env=env)
    assert done.returncode == 0, done.stderr
    rows = _csv(done.stdout)
    assert [row["wsid"] for row in rows] == [f"WS00000000000000{n}" for n in (4, 3, 2, 1)]
    assert rows[1] == {
        "at": "2026-11-25T23:59:00+07:00",
        "action": "rights_lookup",
        "outcome": "success",
        "reason": "found",
        "actor": OTHER_STAFF,
        "unit": "10670",
        "agent": "7",
        "subject": PATIENT,
        "channel": "soap",
        "wsid": "WS000000000000003",
        "address": "10.0.0.5",
    }
    table = ucauth("admin", "audit", "--patient", PATIENT, env=env)
    assert table.returncode == 0 and "WS000000000000003" in table.stdout
    assert OTHER_PATIENT not in table.stdout


def test_days_are_whole_days_in_bangkok(env: dict[str, str]) -> None:
    done = ucauth(
        "admin", "audit", "--patient", PATIENT, "--since", "2026-11-25", "--until", "2026-11-25",
        "--csv", env=env,
    )  # fmt: skip
    assert [row["wsid"][-1] for row in _csv(done.stdout)] == ["3", "2"]


def test_what_a_staff_member_did(env: dict[str, str]) -> None:
    done = ucauth("admin", "audit", "--user", STAFF, "--csv", "--limit", "4", env=env)
    rows = _csv(done.stdout)
    assert [(row["action"], row["subject"]) for row in rows] == [  # 5 events, newest 4
        ("rights_lookup", PATIENT),
        ("rights_lookup", PATIENT),
        ("login", STAFF),  # the same moment, recorded after the lookup below
        ("rights_lookup", OTHER_PATIENT),
    ]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--patient", "3150300174301"], 5),
        ([], 2),
        (["--patient", PATIENT, "--user", STAFF], 2),
        (["--patient", PATIENT, "--since", "25/11/2026"], 2),
    ],
)
def test_bad_input(env: dict[str, str], args: list[str], code: int) -> None:
    assert ucauth("admin", "audit", *args, env=env).returncode == code
