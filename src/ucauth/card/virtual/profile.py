"""Virtual-card profiles: JSON files describing one synthetic card, and the bundled ones.

Dates are raw Buddhist-Era ``YYYYMMDD`` strings exactly as the card stores them (so ``00`` parts
and the lifetime sentinel can be modelled); the photo is a JPEG file next to the profile.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ucauth.card.decode import Moi
from ucauth.card.errors import InvalidProfileError
from ucauth.card.pin import PIN_LENGTH

PROFILE_SUFFIX = ".json"
JPEG_START = b"\xff\xd8"
CHIP_SERIAL_HEX_DIGITS = 16


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NameProfile(_Strict):
    """A name's four parts."""

    prefix: str = ""
    first: str
    middle: str = ""
    last: str


class AddressProfile(_Strict):
    """An address's parts, as on the card."""

    house_no: str = ""
    moo: str = ""
    soi: str = ""
    road: str = ""
    unused: str = ""
    tambon: str = ""
    amphoe: str = ""
    province: str = ""


class NhsoProfile(_Strict):
    """The NHSO applet's data."""

    main_inscl: str
    sub_inscl: str = ""
    main_hospital: str = ""
    sub_hospital: str = ""
    paid_type: str = ""
    issue_date: str = ""
    expiry_date: str = ""
    update_date: str = ""
    change_hospital_amount: str = ""


class CardProfile(_Strict):
    """One virtual card. ``photo_data`` is filled in by :func:`load_profile`."""

    name: str
    description: str = ""
    atr: bytes
    cid: str = Field(pattern=r"^[0-9]{13}$")
    name_th: NameProfile
    name_en: NameProfile
    birth_date: str
    gender: str = Field(max_length=1)
    issuer: str
    issuer_code: str = ""
    issue_date: str
    expiry_date: str
    address: AddressProfile
    photo: str | None = None
    photo_data: bytes = Field(default=b"", exclude=True)
    pin: str = Field(pattern=rf"^[0-9]{{{PIN_LENGTH}}}$")
    pin_max_tries: int = Field(default=3, ge=1, le=15)
    pin_tries_left: int = Field(default=3, ge=0, le=15)
    nhso: NhsoProfile | None = None
    laser_id: str | None = Field(default=None, max_length=16)
    chip_serial: str | None = Field(
        default=None, pattern=rf"^[0-9A-Fa-f]{{{CHIP_SERIAL_HEX_DIGITS}}}$"
    )

    @field_validator("atr", mode="before")
    @classmethod
    def _atr_from_hex(cls, value: object) -> bytes:
        if not isinstance(value, str):
            raise ValueError("the ATR is a hex string, e.g. '3B 79 96 00 ...'")
        atr = bytes.fromhex(value)
        if len(atr) < 2:
            raise ValueError("an ATR has at least 2 bytes")
        return atr


def _reason(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def load_profile(path: Path) -> CardProfile:
    """Read and validate a profile file and its photo; raises InvalidProfileError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        profile = CardProfile.model_validate(data)
    except FileNotFoundError as error:
        raise InvalidProfileError(profile=str(path), reason="file not found") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidProfileError(profile=str(path), reason=str(error)) from error
    except ValidationError as error:
        raise InvalidProfileError(profile=str(path), reason=_reason(error)) from error
    if profile.pin_tries_left > profile.pin_max_tries:
        raise InvalidProfileError(profile=str(path), reason="pin_tries_left > pin_max_tries")
    if profile.photo is None:
        return profile
    try:
        photo = (path.parent / profile.photo).read_bytes()
    except OSError as error:
        raise InvalidProfileError(profile=str(path), reason=f"photo: {error}") from error
    if not photo.startswith(JPEG_START) or len(photo) > Moi.PHOTO.length:
        reason = f"photo must be a JPEG of at most {Moi.PHOTO.length} bytes"
        raise InvalidProfileError(profile=str(path), reason=reason)
    return profile.model_copy(update={"photo_data": photo})


def bundled_profiles_dir() -> Path:
    """The directory of the profiles shipped in the package."""
    return Path(str(resources.files("ucauth.card.virtual").joinpath("profiles")))


def bundled_profile_names() -> list[str]:
    """Names of the shipped profiles (``normal``, ``expired``, ...)."""
    return sorted(p.stem for p in bundled_profiles_dir().glob(f"*{PROFILE_SUFFIX}"))


def resolve_profile(name_or_path: str) -> Path:
    """A profile file path: ``name_or_path`` itself, or the shipped profile of that name."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    bundled = bundled_profiles_dir() / f"{name_or_path}{PROFILE_SUFFIX}"
    if bundled.is_file():
        return bundled
    names = ", ".join(bundled_profile_names())
    raise InvalidProfileError(
        profile=name_or_path, reason=f"no such file or bundled profile ({names})"
    )


def load_named_profile(name_or_path: str) -> CardProfile:
    """:func:`load_profile` of :func:`resolve_profile`."""
    return load_profile(resolve_profile(name_or_path))
