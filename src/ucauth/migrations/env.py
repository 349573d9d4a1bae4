"""Alembic environment: runs the migrations online against the configured URL."""

from __future__ import annotations

from alembic import context

from ucauth.db import Base, load_models, make_engine

load_models()


def run_migrations() -> None:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("ucauth migrations run online only")
run_migrations()
