"""The demo's data: units, an administrator, a clerk holding the bundled virtual card, the
demo hospitals' names, and synthetic beneficiaries with a few made for the printed examples.

Seeding is idempotent: accounts that exist are kept and beneficiaries are upserted, so a run
cut short is finished by the next one.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ucauth.accounts import service as accounts
from ucauth.accounts.models import Role, Unit, User, UserStatus
from ucauth.card.virtual.profile import load_named_profile
from ucauth.cid import complete_cid
from ucauth.randomness import SeededRandom
from ucauth.rights.code_tables import CodeKind, demo_entries, replace_code_table
from ucauth.rights.columns import COLUMN_NAMES
from ucauth.rights.generator import generate
from ucauth.rights.importer import import_beneficiaries
from ucauth.rights.models import BeneficiaryRecord

ACTOR = "cli:demo"
SEED = 1
CLERK_PROFILE, ADMIN_PROFILE = "normal", "lifetime"
CLERK_UNIT = "99003"  # โรงพยาบาลสาธิต 3, Nonthaburi: where the bundled card's holder lives
UNITS = (
    ("99001", "โรงพยาบาลสาธิต 1", "1000"),
    (CLERK_UNIT, "โรงพยาบาลสาธิต 3", "1200"),
    ("99050", "โรงพยาบาลสาธิต 50", "5000"),
)

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total): stage ``generate`` counts persons, ``import`` bytes."""


@dataclass(frozen=True)
class DemoPeople:
    """Citizen IDs the demo prints in its examples."""

    clerk: str  # the bundled "normal" virtual card's holder: staff of CLERK_UNIT
    admin: str  # the "lifetime" virtual card's holder: administrator
    found: str  # a beneficiary with a current UCS right
    pending: str  # a beneficiary whose new right is registered but not yet in force
    deceased: str  # a beneficiary who has died
    nobody: str  # a valid citizen ID nobody in the registry has
    generated: str  # the first of the synthetic beneficiaries

    def to_json(self) -> dict[str, str]:
        return asdict(self)


# Beneficiaries made for the examples: found, a pending change, deceased (the clerk too).
_FOUND, _PENDING, _DECEASED = (complete_cid(f"31099000000{n}") for n in (1, 2, 3))
_NOBODY = complete_cid("310990000009")
_COMMON = {
    "nation": "099",
    "primaryprovince": "1200",
    "primary_amphur_name": "อำเภอเมืองนนทบุรี",
    "primary_tumbon_name": "ตำบลบางกระสอ",
    "maininscl": "UCS",
    "subinscl": "89",
    "maininscl_main": "U",
    "hmain": CLERK_UNIT,
    "hmain_op": CLERK_UNIT,
    "hsub": "99103",
    "purchaseprovince": "1200",
    "paid_model": "1",
}
EXAMPLES = (
    {
        **_COMMON,
        "person_id": _FOUND,
        "title": "004",
        "fname": "มาลี",
        "lname": "ใจงาม",
        "sex": "2",
        "birthdate": "1990-04-13",
        "startdate": "2015-06-01",
    },
    {
        **_COMMON,
        "person_id": _PENDING,
        "title": "003",
        "fname": "ประเสริฐ",
        "lname": "มั่นคง",
        "sex": "1",
        "birthdate": "1975-00-00",
        "maininscl": "SSS",
        "subinscl": "S1",
        "maininscl_main": "S",
        "hmain": "99001",
        "hmain_op": "",
        "hsub": "",
        "purchaseprovince": "1000",
        "paid_model": "",
        "startdate": "2012-03-01",
        "startdate_sss": "2012-03-01",
        "new_maininscl": "UCS",
        "new_subinscl": "89",
        "new_hmain": CLERK_UNIT,
        "new_hmain_op": CLERK_UNIT,
        "new_hsub": "99103",
        "new_purchaseprovince": "1200",
        "new_paid_model": "1",
        "new_startdate": "2026-12-01",
        "new_date_register": "2026-11-20T10:15:00+07:00",
    },
    {
        **_COMMON,
        "person_id": _DECEASED,
        "title": "005",
        "fname": "บุญมี",
        "lname": "สุขใจ",
        "sex": "2",
        "birthdate": "1941-08-02",
        "startdate": "2002-10-01",
        "death_date": "2025-06-01",
        "expdate": "2025-06-01",
    },
)


def seed(engine: Engine, workdir: Path, persons: int, progress: Progress) -> DemoPeople:
    """Seed the demo's accounts, code tables and ``persons`` synthetic beneficiaries."""
    now = datetime.now(UTC)
    clerk = load_named_profile(CLERK_PROFILE)
    admin = load_named_profile(ADMIN_PROFILE)
    with Session(engine) as session:
        for hcode, name, province in UNITS:
            if session.get(Unit, hcode) is None:
                accounts.create_unit(
                    session, hcode=hcode, name=name, province_code=province, actor=ACTOR, now=now
                )
        for profile, role in ((clerk, Role.STAFF), (admin, Role.ADMIN)):
            if session.scalar(select(User.id).where(User.cid == profile.cid)) is None:
                accounts.create_user(
                    session,
                    cid=profile.cid,
                    first_name=profile.name_th.first,
                    last_name=profile.name_th.last,
                    unit_hcode=CLERK_UNIT,
                    role=role,
                    actor=ACTOR,
                    now=now,
                )
        replace_code_table(session, CodeKind.HOSPITALS, demo_entries(CodeKind.HOSPITALS))
        session.commit()
    source = workdir / "demo-beneficiaries.csv"
    first = _write_beneficiaries(source, persons, clerk.cid, progress)
    try:
        total = source.stat().st_size
        progress("import", 0, total)
        import_beneficiaries(
            engine,
            source,
            reject_file=workdir / "demo-beneficiaries.rejects.csv",
            progress=lambda done, _rows: progress("import", done, total),
        )
    finally:
        source.unlink(missing_ok=True)
    return DemoPeople(
        clerk=clerk.cid,
        admin=admin.cid,
        found=_FOUND,
        pending=_PENDING,
        deceased=_DECEASED,
        nobody=_NOBODY,
        generated=first,
    )


def reactivate(engine: Engine, people: DemoPeople) -> None:
    """Make the demo's clerk and administrator active again (a demo left unused for 180 days
    has them revoked by the daily job, as the rules say)."""
    with Session(engine) as session:
        for cid in (people.clerk, people.admin):
            user = session.scalar(select(User).where(User.cid == cid))
            if user is not None and user.status != UserStatus.ACTIVE:
                accounts.reinstate_user(session, cid, actor=ACTOR, now=datetime.now(UTC))


def beneficiary_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(BeneficiaryRecord)) or 0)


def _write_beneficiaries(path: Path, persons: int, clerk: str, progress: Progress) -> str:
    """The import file: ``persons`` synthetic rows, then the examples; the first row's ID."""
    step = max(1, persons // 100)
    first = ""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMN_NAMES)
        for index, row in enumerate(generate(persons, SeededRandom(SEED)), start=1):
            writer.writerow(row)
            first = first or row[0]
            if index % step == 0 or index == persons:
                progress("generate", index, persons)
        clerk_row = {
            **EXAMPLES[0],
            **{"person_id": clerk, "title": "003", "sex": "1", "birthdate": "1987-05-12"},
            **{"fname": "สมชาย", "lname": "ทดสอบระบบ"},
        }
        for example in (*EXAMPLES, clerk_row):
            writer.writerow([example.get(name, "") for name in COLUMN_NAMES])
    return first
