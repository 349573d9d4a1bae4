"""Settings shared by the server and the command line, from ``UCAUTH_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_data_path
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ucauth.errors import UcauthError
from ucauth.tokens.errors import ProtocolError
from ucauth.tokens.protocol import normalize_origin

MIN_TOKEN_KEY_LENGTH = 32
TOKEN_KEY_FILE = "token_key"  # noqa: S105 - a file name


def default_data_dir() -> Path:
    """Where ucauth keeps its SQLite database and generated keys by default."""
    return user_data_path("ucauth", appauthor=False)


class SettingsError(UcauthError):
    """A setting has a value ucauth cannot use."""

    code = "invalid_settings"
    message_key = "settings.invalid"


class InsecureSettingsError(SettingsError):
    """A setting that would make the server insecure: a missing or short key, an HTTP origin."""

    code = "insecure_settings"
    message_key = "settings.insecure"


class DatabaseSettings(BaseSettings):
    """Where the data lives: ``UCAUTH_DATA_DIR`` and ``UCAUTH_DATABASE_URL``."""

    model_config = SettingsConfigDict(env_prefix="UCAUTH_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""

    def resolved_database_url(self) -> str:
        """``database_url``, or the embedded default: a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'ucauth.db'}"

    @property
    def uses_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")


class ServerSettings(DatabaseSettings):
    """The central server.

    ``UCAUTH_TOKEN_KEY`` (HMAC key of stored tokens, ≥ 32 characters), ``UCAUTH_ORIGIN`` (the public
    URL agents connect to and sign), ``UCAUTH_TIMEZONE`` (where tokens die at midnight),
    ``UCAUTH_HOST`` / ``UCAUTH_PORT`` (bind address), ``UCAUTH_FORWARDED_ALLOW_IPS`` (proxies
    trusted for ``X-Forwarded-For``), ``UCAUTH_ACCESS_LOG``, ``UCAUTH_DATABASE_POOL_SIZE``
    (PostgreSQL connections kept per pool), ``UCAUTH_JOBS_ENABLED`` (the scheduler of daily jobs
    in this process), ``UCAUTH_LEGACY_LOGIN_UNTIL`` (the sunset of legacy unit credentials: a
    date, meaning 00:00 of that day in ``UCAUTH_TIMEZONE``, or an ISO date-time; unset: never
    accepted), ``UCAUTH_WEB_LOGIN_ORIGINS`` (other origins whose pages may post the
    rights-search log-on form: the workstation agents). Call :meth:`secured` before use.
    """

    token_key: SecretStr = SecretStr("")
    origin: str = ""
    timezone: str = "Asia/Bangkok"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    forwarded_allow_ips: str = ""
    access_log: bool = True
    database_pool_size: int = Field(default=20, ge=1, le=200)
    jobs_enabled: bool = True
    legacy_login_until: str = ""
    web_login_origins: str = "http://127.0.0.1:8189,http://localhost:8189"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("legacy_login_until")
    @classmethod
    def _moment(cls, value: str) -> str:
        value = value.strip()
        if value:
            datetime.fromisoformat(value)  # ValueError names the problem
        return value

    @field_validator("origin")
    @classmethod
    def _normal_origin(cls, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return normalize_origin(value)
        except ProtocolError as error:
            raise ValueError(str(error)) from error

    @field_validator("web_login_origins")
    @classmethod
    def _normal_origins(cls, value: str) -> str:
        try:
            return ",".join(normalize_origin(o) for o in value.split(",") if o.strip())
        except ProtocolError as error:
            raise ValueError(str(error)) from error

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def legacy_sunset(self) -> datetime | None:
        """When legacy unit credentials stop being accepted (None: they never are)."""
        if not self.legacy_login_until:
            return None
        moment = datetime.fromisoformat(self.legacy_login_until)
        return (moment if moment.tzinfo else moment.replace(tzinfo=self.zone)).astimezone(UTC)

    def public_origin(self) -> str:
        """The origin agents sign: ``origin``, else the bind address over plain HTTP."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return self.origin or normalize_origin(f"http://{host}:{self.port}")

    def secured(self) -> ServerSettings:
        """These settings with the token key in place, or InsecureSettingsError.

        Against PostgreSQL (production) the key and an HTTPS origin must be given. For the
        embedded SQLite default a missing key is generated once and kept in the data directory,
        readable by this OS user only.
        """
        key = self.token_key.get_secret_value()
        if key and len(key) < MIN_TOKEN_KEY_LENGTH:
            raise InsecureSettingsError(problem=f"UCAUTH_TOKEN_KEY < {MIN_TOKEN_KEY_LENGTH}")
        if self.uses_sqlite:
            if not key:
                key = _generated_key(self.data_dir / TOKEN_KEY_FILE)
            return self.model_copy(update={"token_key": SecretStr(key)})
        if not key:
            raise InsecureSettingsError(problem="UCAUTH_TOKEN_KEY")
        if not self.origin:
            raise InsecureSettingsError(problem="UCAUTH_ORIGIN")
        if self.origin.startswith("http://") and not _is_loopback_origin(self.origin):
            raise InsecureSettingsError(problem="UCAUTH_ORIGIN (https)")
        return self


def load_server_settings() -> ServerSettings:
    """``ServerSettings`` from the environment; a bad value raises SettingsError, not a trace."""
    try:
        return ServerSettings()
    except ValidationError as error:
        problems = "; ".join(
            f"UCAUTH_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors()
        )
        raise SettingsError(problem=problems) from error


def _generated_key(path: Path) -> str:
    """The key kept in ``path``, made (mode 0600) on first use; safe when processes race."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=".token_key.")
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(secrets.token_urlsafe(MIN_TOKEN_KEY_LENGTH) + "\n")
            os.link(draft, path)  # atomic; the first process to link wins
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_TOKEN_KEY_LENGTH:
        raise InsecureSettingsError(problem=str(path))
    return key


def _is_loopback_origin(origin: str) -> bool:
    host = urlsplit(origin).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
