from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from ucauth.card.decode import parse_be_date
from ucauth.card.model import ThaiIdCardData
from ucauth.card.thai_id import ThaiIdSession
from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.inprocess import InProcessConnection
from ucauth.card.virtual.profile import load_named_profile


def read(profile: str, **options: bool) -> ThaiIdCardData:
    card = VirtualThaiIdCard(load_named_profile(profile))
    with InProcessConnection(card) as connection:
        return ThaiIdSession(connection).read(**options)


@pytest.fixture(scope="module")
def normal() -> ThaiIdCardData:
    return read("normal", photo=True, nhso=True)


def test_is_expired_on_the_day_after_expiry(normal: ThaiIdCardData) -> None:
    assert normal.expiry_date.value == date(2030, 5, 11)
    assert not normal.is_expired(date(2030, 5, 11))
    assert normal.is_expired(date(2030, 5, 12))


def test_lifetime_card_never_expires() -> None:
    assert not read("lifetime").is_expired(date(9999, 12, 31))


def test_expired_card() -> None:
    assert read("expired").is_expired(date(2024, 1, 1))


@pytest.mark.parametrize(
    ("raw", "on", "expired"),
    [
        ("25730500", date(2030, 5, 31), False),
        ("25730500", date(2030, 6, 1), True),
        ("25730000", date(2030, 12, 31), False),
        ("25730000", date(2031, 1, 1), True),
        ("garbage!", date(2000, 1, 1), True),  # unreadable expiry: fail closed
    ],
)
def test_is_expired_with_partial_dates(
    normal: ThaiIdCardData, raw: str, on: date, expired: bool
) -> None:
    card = dataclasses.replace(normal, expiry_date=parse_be_date(raw))
    assert card.is_expired(on) is expired


def test_digest_is_stable(normal: ThaiIdCardData) -> None:
    without_extras = read("normal", laser_id=False, chip_serial=False)
    assert read("normal").digest() == normal.digest()
    assert normal.digest().hex() == (
        "43dff6f309880950a1cf3d8d51ca26e25c66ce28e4b8ce9df9afea6d8bc42a9e"
    )
    assert without_extras.digest() != normal.digest()


def test_digest_covers_identity_fields_only(normal: ThaiIdCardData) -> None:
    assert dataclasses.replace(normal, photo=None, nhso=None).digest() == normal.digest()
    assert dataclasses.replace(normal, cid="3409900012349").digest() != normal.digest()
    changed_name = dataclasses.replace(normal.name_th, middle="x")
    assert dataclasses.replace(normal, name_th=changed_name).digest() != normal.digest()
    assert dataclasses.replace(normal, laser_id="X").digest() != normal.digest()
    assert dataclasses.replace(normal, chip_serial="00").digest() != normal.digest()


def test_to_dict_is_json_with_the_photo_summarised(normal: ThaiIdCardData) -> None:
    out = json.loads(json.dumps(normal.to_dict(), ensure_ascii=False))
    assert out["cid"] == "1101700203450"
    assert out["photo"]["bytes"] == len(normal.photo or b"")
    assert out["birth_date"] == {"raw": "25300512", "iso": "1987-05-12", "lifetime": False}
    assert out["nhso"]["main_hospital"] == "โรงพยาบาลทดสอบนนทบุรี"
    assert out["digest"] == normal.digest().hex()
    assert out["address"]["full"].endswith("จังหวัดนนทบุรี")


def test_unknown_birth_date_keeps_the_raw_value() -> None:
    data = read("unknown_birth")
    assert data.birth_date.raw == "25200000"
    assert data.birth_date.iso() == "1977"
    assert data.birth_date.value is None
