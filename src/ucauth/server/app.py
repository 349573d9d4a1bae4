"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import sessionmaker

from ucauth import __version__
from ucauth.accounts.router import router as accounts_router
from ucauth.audit.partitions import ensure_partitions
from ucauth.audit.writer import AuditWriter
from ucauth.clock import Clock, SystemClock
from ucauth.jobs.scheduler import JobScheduler
from ucauth.jobs.service import JobRunner
from ucauth.lifecycle.router import router as lifecycle_router
from ucauth.migrations import ensure_current
from ucauth.randomness import RandomSource, SecureRandom
from ucauth.rights.ids import RequestIds
from ucauth.rights.lookups import Lookups
from ucauth.rights.router import router as rights_router
from ucauth.rights.soap.router import router as soap_router
from ucauth.server.body_limit import BodyLimitMiddleware
from ucauth.server.context import AppContext
from ucauth.server.database import Database
from ucauth.server.errors import first_line, install_error_handlers
from ucauth.server.login_batches import LoginBatcher
from ucauth.server.metrics import Metrics, MetricsMiddleware
from ucauth.server.operations import router as operations_router
from ucauth.settings import ServerSettings
from ucauth.tokens.active_agents import ActiveAgents
from ucauth.tokens.router import router as tokens_router
from ucauth.tokens.service import TokenConfig
from ucauth.web import router as web

MAX_BODY_BYTES = 64 * 1024
log = logging.getLogger(__name__)


def _keep_audit_partitions_ahead(database: Database, clock: Clock) -> None:
    """PostgreSQL: a year of monthly audit partitions. A server role that may not create
    tables (as docs/reliability.md recommends) leaves it to the owner's daily job."""
    with database.engine.connect() as connection:
        try:
            ensure_partitions(connection, clock.now().date())
        except ProgrammingError as error:  # insufficient privilege
            connection.rollback()
            log.warning("audit partitions not created: %s", first_line(error))


def create_app(
    settings: ServerSettings, *, clock: Clock | None = None, random: RandomSource | None = None
) -> FastAPI:
    """The central server's app.

    Raises InsecureSettingsError for settings unfit to run with, and SchemaOutOfDateError when
    the database is not at the newest migration (``ucauth db upgrade``).
    """
    settings = settings.secured()
    database = Database(settings.resolved_database_url(), settings.database_pool_size)
    clock = clock or SystemClock()
    try:
        ensure_current(database.engine)
        _keep_audit_partitions_ahead(database, clock)
    except Exception:
        database.engine.dispose()
        raise
    audit = AuditWriter(database.store_audit)
    ids = RequestIds(database.engine)
    random = random or SecureRandom()
    tokens = TokenConfig.from_settings(settings)
    logins = LoginBatcher(database, tokens, clock, random)
    context = AppContext(
        settings=settings,
        database=database,
        sessions=sessionmaker(database.engine, expire_on_commit=False),
        clock=clock,
        random=random,
        tokens=tokens,
        metrics=Metrics(),
        audit=audit,
        ids=ids,
        lookups=Lookups(database, audit, ids, clock),
        logins=logins,
        active_agents=ActiveAgents(),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler = None
        if settings.jobs_enabled:
            runner = JobRunner(settings.resolved_database_url(), clock=clock, zone=settings.zone)
            scheduler = JobScheduler(runner)
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown()
            await logins.close()
            await audit.close()
            await database.dispose()

    app = FastAPI(
        title="ucauth",
        version=__version__,
        summary="Smart-card login for health-service staff and NHSO-compatible rights checks",
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False},  # /metrics is ours
    )
    app.state.context = context
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(MetricsMiddleware, metrics=context.metrics)
    # Hot routes first: routes match in order.
    routers = (
        tokens_router,
        rights_router,
        soap_router,
        accounts_router,
        lifecycle_router,
        operations_router,
    )
    for router in routers:
        app.include_router(router)
    web.install(app, context)
    return app
