"""Settings shared by the server and the command line, from ``UCAUTH_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """Where ucauth keeps its SQLite database and generated keys by default."""
    return user_data_path("ucauth", appauthor=False)


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
