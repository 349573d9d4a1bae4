"""Legacy unit credentials (R8) before and after the sunset, through the service, verify and SOAP;
every use audited; the usage report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.rights.test_soap_api import PATH, XML, envelope, fields, lookups
from tests.support.factories import add_unit
from tests.support.rights import PID, SAMPLE_ROW, store
from tests.support.server import BANGKOK, START
from ucauth.accounts.errors import InvalidAccountDataError, UnitNotFoundError
from ucauth.audit.service import events
from ucauth.clock import FixedClock
from ucauth.lifecycle import legacy
from ucauth.lifecycle.errors import (
    LegacyCredentialExistsError,
    LegacyCredentialNotFoundError,
    LegacyLoginEndedError,
)
from ucauth.server.app import create_app
from ucauth.settings import ServerSettings
from ucauth.tokens.errors import InvalidCredentialsError, TooManyAttemptsError
from ucauth.tokens.service import TokenConfig

USERNAME, PASSWORD = "chk10670", "old-fixed-password"
SUNSET = datetime(2026, 12, 1, tzinfo=BANGKOK)
VERIFY = "/api/v1/auth/verify"


@pytest.fixture
def credential(session: Session) -> None:
    add_unit(session)
    legacy.create_credential(
        session,
        username=" CHK10670 ",
        unit_hcode="10670",
        password=PASSWORD,
        actor="cli:test",
        now=START,
    )


@pytest.fixture
def config(token_config: TokenConfig) -> TokenConfig:
    return replace(token_config, legacy_until=SUNSET)


def check(
    session: Session,
    config: TokenConfig,
    password: str = PASSWORD,
    *,
    at: datetime = START,
    username: str = USERNAME,
) -> legacy.LegacyUnit:
    return legacy.authenticate_legacy(
        session.connection(),
        config,
        username,
        password,
        now=at,
        client_address="10.1.1.1",
        channel="verify",
    )


@pytest.mark.usefixtures("credential")
def test_accepted_before_the_sunset_and_each_use_audited(
    session: Session, config: TokenConfig
) -> None:
    stored = legacy.list_credentials(session)[0]
    assert stored.username == USERNAME and stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    unit = check(session, config)
    assert unit == legacy.LegacyUnit(USERNAME, "10670", SUNSET)
    check(session, config, at=START + timedelta(minutes=1))
    uses = events(session, actor=USERNAME, actions=["legacy_login"])
    assert [(e.outcome, e.channel, e.unit_hcode) for e in uses] == [
        ("success", "verify", "10670")
    ] * 2
    with pytest.raises(InvalidCredentialsError):
        check(session, config, "wrong")
    with pytest.raises(InvalidCredentialsError):
        check(session, config, username="chk99999")
    failures = [e for e in events(session, actions=["legacy_login"]) if e.outcome == "failure"]
    assert [e.reason for e in failures] == ["unknown_account", "wrong_password"]


@pytest.mark.usefixtures("credential")
def test_refused_clearly_from_the_sunset_on(session: Session, config: TokenConfig) -> None:
    with pytest.raises(LegacyLoginEndedError) as raised:
        check(session, config, at=SUNSET)
    assert raised.value.message("en") == (
        "Legacy unit credentials (chk…) are no longer accepted since 2026-12-01: smart-card "
        "login replaced them; staff log in with their ID card to get a token"
    )
    assert "เลิกใช้แล้วตั้งแต่ 2026-12-01" in raised.value.message("th")
    with pytest.raises(LegacyLoginEndedError):
        check(session, config, "any password", at=SUNSET + timedelta(days=3))
    [event] = events(session, actions=["legacy_login"], limit=1)
    assert (event.outcome, event.reason) == ("failure", "legacy_login_ended")
    assert legacy.list_credentials(session)[0].last_refused_at == SUNSET + timedelta(days=3)


@pytest.mark.usefixtures("credential")
def test_never_accepted_without_a_sunset_and_failures_are_throttled(
    session: Session, token_config: TokenConfig, config: TokenConfig
) -> None:
    with pytest.raises(InvalidCredentialsError):
        check(session, token_config)
    for _ in range(4):
        with pytest.raises(InvalidCredentialsError):
            check(session, config, "wrong")
    with pytest.raises(InvalidCredentialsError):
        check(session, config, "wrong")  # the fifth and last free failure
    with pytest.raises(TooManyAttemptsError):
        check(session, config)


def test_credentials_are_validated_and_removed(session: Session) -> None:
    add_unit(session)
    create = {"unit_hcode": "10670", "password": "x", "actor": "cli:test", "now": START}
    with pytest.raises(InvalidAccountDataError):
        legacy.create_credential(session, username="admin", **create)  # type: ignore[arg-type]
    with pytest.raises(UnitNotFoundError):
        legacy.create_credential(session, username="chk1", **{**create, "unit_hcode": "99999"})  # type: ignore[arg-type]
    legacy.create_credential(session, username="chk1", **create)  # type: ignore[arg-type]
    with pytest.raises(LegacyCredentialExistsError):
        legacy.create_credential(session, username="chk1", **create)  # type: ignore[arg-type]
    legacy.remove_credential(session, "chk1", actor="cli:test", now=START)
    with pytest.raises(LegacyCredentialNotFoundError):
        legacy.remove_credential(session, "chk1", actor="cli:test", now=START)
    actions = [e.action for e in events(session, actor="cli:test", limit=2)]
    assert actions == ["legacy_credential_remove", "legacy_credential_create"]


@pytest.mark.usefixtures("credential")
def test_usage_report_names_the_units_of_the_last_30_days(
    session: Session, config: TokenConfig
) -> None:
    add_unit(session, "10671")
    legacy.create_credential(
        session, username="chk10671", unit_hcode="10671", password="p", actor="cli:t", now=START
    )
    check(session, config)
    check(session, config, at=START + timedelta(minutes=10))
    with pytest.raises(LegacyLoginEndedError):
        check(session, config, at=SUNSET)
    [usage] = legacy.usage_report(session, now=SUNSET)
    assert (usage.username, usage.unit_hcode, usage.region_number) == (USERNAME, "10670", 13)
    assert (usage.uses, usage.refusals) == (2, 1)
    assert usage.last_refused_at == SUNSET
    assert legacy.usage_report(session, now=SUNSET + timedelta(days=31)) == []


@pytest.fixture
def legacy_client(
    server_settings: ServerSettings, clock: FixedClock, credential: None
) -> Iterator[TestClient]:
    settings = server_settings.model_copy(update={"legacy_login_until": "2026-12-01"})
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client


def test_verify_before_and_after_the_sunset(legacy_client: TestClient, clock: FixedClock) -> None:
    accepted = legacy_client.post(VERIFY, json={"username": USERNAME, "password": PASSWORD})
    assert accepted.status_code == 200
    assert accepted.json() == {
        "valid": True,
        "legacy_unit": {"username": USERNAME, "unit_hcode": "10670"},
        "accepted_until": "2026-11-30T17:00:00Z",
    }
    wrong = legacy_client.post(VERIFY, json={"username": USERNAME, "password": "x"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_credentials"
    clock.set(SUNSET)
    ended = legacy_client.post(
        VERIFY,
        json={"username": USERNAME, "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert ended.status_code == 403 and ended.json()["error"]["code"] == "legacy_login_ended"
    assert "since 2026-12-01: smart-card login replaced them" in ended.json()["error"]["message"]


def test_never_accepted_by_verify_without_a_sunset(client: TestClient, credential: None) -> None:
    refused = client.post(VERIFY, json={"username": USERNAME, "password": PASSWORD})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_credentials"


def test_soap_before_and_after_the_sunset(
    legacy_client: TestClient, clock: FixedClock, session: Session, database_url: str
) -> None:
    store(database_url, SAMPLE_ROW)
    found = legacy_client.post(PATH, content=envelope(USERNAME, PASSWORD, PID), headers=XML)
    answer = fields(found.content)
    assert (answer["ws_status"], answer["person_id"]) == ("NHSO-000001", PID)
    [lookup] = lookups(session)
    assert (lookup.actor, lookup.unit_hcode, lookup.agent_id) == (USERNAME, "10670", None)
    [use] = events(session, actions=["legacy_login"], limit=1)
    assert (use.channel, use.outcome) == ("soap", "success")
    clock.set(SUNSET + timedelta(hours=1))
    ended = fields(
        legacy_client.post(PATH, content=envelope(USERNAME, PASSWORD, PID), headers=XML).content
    )
    assert ended["ws_status"] == "NHSO-00003"
    assert "เลิกใช้แล้วตั้งแต่ 2026-12-01" in ended["ws_status_desc"]
    assert len(lookups(session)) == 1
