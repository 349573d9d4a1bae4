"""Tables of the accounts domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ucauth.db import Base, UtcDateTime


class Region(Base):
    """One of NHSO's 13 regional offices; administrators act on the units of their regions."""

    __tablename__ = "regions"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name_th: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class Unit(Base):
    """A service unit (hospital, health centre) by its 5-digit hcode."""

    __tablename__ = "units"

    hcode: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(4))
    region_number: Mapped[int] = mapped_column(ForeignKey("regions.number"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
