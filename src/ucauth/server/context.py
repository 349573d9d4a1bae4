"""What every request handler shares: settings, database sessions, clock, randomness, metrics."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from ucauth.clock import Clock
from ucauth.randomness import RandomSource
from ucauth.server.database import Database
from ucauth.server.metrics import Metrics
from ucauth.settings import ServerSettings
from ucauth.tokens.service import TokenConfig


@dataclass(frozen=True)
class AppContext:
    """One per app (``app.state.context``); handlers reach it through ``dependencies.Context``."""

    settings: ServerSettings
    database: Database  # units of work of the async routes
    sessions: sessionmaker[Session]  # ORM sessions for sync routes
    clock: Clock
    random: RandomSource
    tokens: TokenConfig
    metrics: Metrics
