"""The agent's settings, from ``UCAUTH_AGENT_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ucauth.settings import SettingsError, default_data_dir
from ucauth.tokens.errors import ProtocolError
from ucauth.tokens.protocol import normalize_origin

DEFAULT_PORT = 8189
LOOPBACK = "127.0.0.1"


def default_agent_dir() -> Path:
    """The agent's data directory by default: ``agent`` in ucauth's user data directory."""
    return default_data_dir() / "agent"


class AgentSettings(BaseSettings):
    """``UCAUTH_AGENT_DATA_DIR``, ``_PORT``, ``_ALLOWED_ORIGINS`` (comma-separated web origins of
    HIS pages), ``_TOKEN_FILE`` (``nhso_token.txt``; empty = off), ``_READER`` (empty = any),
    ``_TIMEZONE`` (the day a card expires in), ``_SERVER_TIMEOUT`` (seconds), ``_CHECK_INTERVAL``
    (seconds between checks of a reachable server and of the session's token)."""

    model_config = SettingsConfigDict(env_prefix="UCAUTH_AGENT_", extra="ignore")

    data_dir: Path = Field(default_factory=default_agent_dir)
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    allowed_origins: str = ""
    token_file: str = ""
    reader: str = ""
    timezone: str = "Asia/Bangkok"
    server_timeout: float = Field(default=5.0, gt=0, le=120)
    check_interval: float = Field(default=15.0, gt=0, le=3600)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        try:
            return ",".join(normalize_origin(o) for o in value.split(",") if o.strip())
        except ProtocolError as error:
            raise ValueError(f"not an origin (scheme://host[:port]): {value!r}") from error

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def page_origins(self) -> frozenset[str]:
        """The agent's own page: the only origins the PIN is accepted from."""
        return frozenset(f"http://{host}:{self.port}" for host in (LOOPBACK, "localhost", "[::1]"))

    @property
    def origins(self) -> frozenset[str]:
        """Every origin allowed to call the API: the page's and the configured HIS pages'."""
        configured = {o for o in self.allowed_origins.split(",") if o}
        return self.page_origins | configured

    @property
    def hosts(self) -> frozenset[str]:
        """The ``Host`` header values accepted (anything else may be DNS rebinding)."""
        return frozenset(f"{host}:{self.port}" for host in (LOOPBACK, "localhost", "[::1]"))

    @property
    def token_path(self) -> Path | None:
        return Path(self.token_file).expanduser() if self.token_file.strip() else None

    @property
    def reader_name(self) -> str | None:
        return self.reader.strip() or None


def load_agent_settings(**overrides: object) -> AgentSettings:
    """``AgentSettings`` from the environment (and ``overrides``); SettingsError for bad values."""
    try:
        settings = AgentSettings()
        values = {name: value for name, value in overrides.items() if value is not None}
        return AgentSettings.model_validate({**settings.model_dump(), **values})
    except ValidationError as error:
        problems = "; ".join(
            f"UCAUTH_AGENT_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}"
            for e in error.errors()
        )
        raise SettingsError(problem=problems) from error
