"""Tables of the rights registry: beneficiaries, code names and wsid blocks.

One row per beneficiary holds the whole dataset (person, current right, pending ``new_*``
right), so an import that replaces a row leaves the person either fully old or fully new.
Column names are the ``nhsoDataSetC1`` element names (see ``ucauth.rights.columns``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ucauth.db import Base, UtcDateTime


class BeneficiaryRecord(Base):
    """A person with their current right and, when one is pending, their new right."""

    __tablename__ = "beneficiaries"

    person_id: Mapped[str] = mapped_column(String(13), primary_key=True)
    title: Mapped[str | None] = mapped_column(String(3))
    fname: Mapped[str] = mapped_column(String(100))
    lname: Mapped[str | None] = mapped_column(String(100))
    sex: Mapped[str | None] = mapped_column(String(1))
    # YYYY-MM-DD with 00 for an unknown month or day (``ucauth.thaidate.PartialDate``).
    birthdate: Mapped[str | None] = mapped_column(String(10))
    nation: Mapped[str | None] = mapped_column(String(3))
    death_date: Mapped[date | None]
    primaryprovince: Mapped[str | None] = mapped_column(String(4))
    primary_amphur_name: Mapped[str | None] = mapped_column(String(100))
    primary_tumbon_name: Mapped[str | None] = mapped_column(String(100))
    primary_mooban_name: Mapped[str | None] = mapped_column(String(100))
    primary_moo: Mapped[str | None] = mapped_column(String(2))

    maininscl: Mapped[str | None] = mapped_column(String(5))
    subinscl: Mapped[str | None] = mapped_column(String(5))
    hmain: Mapped[str | None] = mapped_column(String(5))
    hsub: Mapped[str | None] = mapped_column(String(5))
    hmain_op: Mapped[str | None] = mapped_column(String(5))
    purchaseprovince: Mapped[str | None] = mapped_column(String(4))
    startdate: Mapped[date | None]
    expdate: Mapped[date | None]
    paid_model: Mapped[str | None] = mapped_column(String(10))
    mastercup_id: Mapped[str | None] = mapped_column(String(20))
    maininscl_main: Mapped[str | None] = mapped_column(String(1))
    startdate_sss: Mapped[date | None]
    cardid: Mapped[str | None] = mapped_column(String(30))

    new_maininscl: Mapped[str | None] = mapped_column(String(5))
    new_subinscl: Mapped[str | None] = mapped_column(String(5))
    new_hmain: Mapped[str | None] = mapped_column(String(5))
    new_hsub: Mapped[str | None] = mapped_column(String(5))
    new_hmain_op: Mapped[str | None] = mapped_column(String(5))
    new_purchaseprovince: Mapped[str | None] = mapped_column(String(4))
    new_startdate: Mapped[date | None]
    new_expdate: Mapped[date | None]
    new_paid_model: Mapped[str | None] = mapped_column(String(10))
    new_mastercup_id: Mapped[str | None] = mapped_column(String(20))
    new_date_register: Mapped[datetime | None] = mapped_column(UtcDateTime)
    new_type_register: Mapped[str | None] = mapped_column(String(10))
    new_type_register_desc: Mapped[str | None] = mapped_column(String(200))
    new_staffname: Mapped[str | None] = mapped_column(String(200))


class CodeName(Base):
    """The name of a code in one of the operator-replaceable code tables (``CodeKind``).

    A code without a name is known but unnamed: it is shown as the code itself.
    """

    __tablename__ = "rights_codes"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))


class IdBlock(Base):
    """The last block of request ids handed out for one kind of id (``ucauth.rights.ids``)."""

    __tablename__ = "rights_id_blocks"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_block: Mapped[int] = mapped_column(BigInteger)
