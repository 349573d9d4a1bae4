"""What every request handler shares: settings, database sessions, clock, randomness, metrics,
the audit writer, the rights lookups and the card logins."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from ucauth.audit.writer import AuditWriter
from ucauth.clock import Clock
from ucauth.randomness import RandomSource
from ucauth.rights.ids import RequestIds
from ucauth.rights.lookups import Lookups
from ucauth.server.database import Database
from ucauth.server.login_batches import LoginBatcher
from ucauth.server.metrics import Metrics
from ucauth.settings import ServerSettings
from ucauth.tokens.active_agents import ActiveAgents
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
    audit: AuditWriter  # group commit of audit records that must precede an answer
    ids: RequestIds  # wsid and wsid_batch
    lookups: Lookups  # every rights lookup, whatever its channel
    logins: LoginBatcher  # card logins, batched
    active_agents: ActiveAgents  # agents a challenge found active a moment ago
