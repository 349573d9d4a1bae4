"""SQLAlchemy declarative base, column types and engines for SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import pkgutil
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Protocol, TypeAlias, TypeVar, cast

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Enum,
    MetaData,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.types import TypeDecorator

P = ParamSpec("P")
T = TypeVar("T")
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every ucauth table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC; SQLite's naive values come back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def string_enum(cls: type[StrEnum], name: str) -> Enum:
    """A VARCHAR holding the enum's values, with a CHECK constraint named ``name``."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings ucauth relies on.

    SQLite: the file's directory created, foreign keys on, WAL journal, a busy timeout,
    connections usable from any thread.
    PostgreSQL: connections checked before use, so a restarted server is picked up again.
    """
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# What service functions run statements on and commit: an ORM Session or a Core Connection
# (the lighter one, for hot paths).
Db: TypeAlias = Session | Connection


def dialect_name(db: Db) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    return (db.dialect if isinstance(db, Connection) else db.get_bind().dialect).name


UpsertFactory: TypeAlias = Callable[[Callable[[Any], Any]], Any]


def upserts(make: UpsertFactory) -> dict[str, Any]:
    """A prebuilt statement per dialect: ``make`` gets that dialect's ``insert`` (whose
    ``on_conflict_do_update`` is an atomic upsert on SQLite and PostgreSQL); pick one with
    :func:`dialect_name`."""
    return {"sqlite": make(sqlite.insert), "postgresql": make(postgresql.insert)}


def load_models() -> None:
    """Import every ``ucauth.<domain>.models`` module so ``Base.metadata`` knows all tables."""
    import ucauth

    for module in pkgutil.walk_packages(ucauth.__path__, "ucauth."):
        if module.name.endswith(".models"):
            importlib.import_module(module.name)


class DriverQuery:
    """A select compiled once per dialect and run straight on the DB-API connection, its row
    converted as SQLAlchemy would (dates, aware date-times, enums), as a named tuple.

    For the hot single-row reads, where SQLAlchemy's execution layer (and psycopg's column
    descriptions) cost several times the query itself. Parameters are the statement's bind
    parameters by name (no expanding ``IN`` lists), converted as SQLAlchemy would.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        keys = [str(column.key) for column in _columns(statement)]
        self._row: Any = namedtuple("_Row", keys) if keys else None
        self._compiled: dict[str, _CompiledQuery] = {}

    def first(self, db: Db, params: Mapping[str, Any]) -> Any:
        """The first row (attributes named as the statement's columns), or None."""

        def fetch(cursor: Any, compiled: _CompiledQuery) -> tuple[Any, _CompiledQuery]:
            cursor.execute(compiled.sql, compiled.bound(params))
            return cursor.fetchone(), compiled

        row, compiled = self._on_cursor(db, fetch)
        return None if row is None else self.row(compiled, row)

    def all(self, db: Db, params: Mapping[str, Any]) -> list[Any]:
        """Every row, as :meth:`first` returns one."""

        def fetch(cursor: Any, compiled: _CompiledQuery) -> tuple[list[Any], _CompiledQuery]:
            cursor.execute(compiled.sql, compiled.bound(params))
            return cursor.fetchall(), compiled

        rows, compiled = self._on_cursor(db, fetch)
        return [self.row(compiled, row) for row in rows]

    def first_each(self, db: Db, params: Sequence[Mapping[str, Any]]) -> list[Any]:
        """:meth:`first` for each parameter set, in order: on PostgreSQL one statement for all
        (:attr:`_CompiledQuery.batched_sql`; the parameters go as text, cast by the query as
        its bind types are), on SQLite one after the other."""

        def fetch(cursor: Any, compiled: _CompiledQuery) -> tuple[list[Any], _CompiledQuery]:
            rows: list[Any] = [None] * len(params)
            if compiled.on_postgres:
                texts = [{name: _text(value) for name, value in one.items()} for one in params]
                cursor.execute(compiled.batched_sql, compiled.batched_params(texts))
                for row in cursor.fetchall():
                    rows[row[0] - 1] = row[1:]
                return rows, compiled
            for index, values in enumerate(params):
                cursor.execute(compiled.sql, compiled.bound(values))
                rows[index] = cursor.fetchone()
            return rows, compiled

        if not params:
            return []
        rows, compiled = self._on_cursor(db, fetch)
        return [None if row is None else self.row(compiled, row) for row in rows]

    def compiled(self, dialect: Dialect) -> _CompiledQuery:
        """The statement compiled for ``dialect`` (once)."""
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _CompiledQuery(self._statement, dialect)
        return compiled

    def row(self, compiled: _CompiledQuery, values: Sequence[Any]) -> Any:
        """A DB-API row of ``compiled`` converted and named as :meth:`first` returns it."""
        return self._row._make(
            value if convert is None else convert(value)
            for convert, value in zip(compiled.converters, values, strict=True)
        )

    def _on_cursor(self, db: Db, call: Callable[[Any, _CompiledQuery], T]) -> T:
        """``call(cursor, compiled)`` on a cursor of ``db``'s DB-API connection; its errors
        raised as SQLAlchemy would."""
        connection = _connection(db)
        compiled = self.compiled(connection.dialect)
        return _on_driver(connection, compiled.sql, lambda cursor: call(cursor, compiled))


class DriverStatement(DriverQuery):
    """A :class:`DriverQuery` that writes (insert, update, delete; ``first`` answers what it
    returns), in the connection's transaction, begun if need be; the caller commits."""

    def first(self, db: Db, params: Mapping[str, Any]) -> Any:
        return super().first(_in_transaction(db), params)

    def all(self, db: Db, params: Mapping[str, Any]) -> list[Any]:
        return super().all(_in_transaction(db), params)

    def first_each(self, db: Db, params: Sequence[Mapping[str, Any]]) -> list[Any]:
        """:meth:`first` for each parameter set, one statement after the other (many rows on
        PostgreSQL go better in one statement over arrays, as the login batches' steps do)."""
        return [self.first(db, values) for values in params]

    def execute(self, db: Db, params: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> int:
        """Run it once, or once per parameter set of a sequence; how many rows it changed."""

        def run(cursor: Any, compiled: _CompiledQuery) -> int:
            if isinstance(params, Mapping):
                cursor.execute(compiled.sql, compiled.bound(params))
            else:
                cursor.executemany(compiled.sql, [compiled.bound(p) for p in params])
            return int(cursor.rowcount)

        return self._on_cursor(_in_transaction(db), run)


def execute_driver_sql(db: Db, sql: str, params: Mapping[str, Any]) -> None:
    """Run ``sql`` (in the driver's parameter style) on ``db``'s DB-API connection, in its
    transaction (begun if need be; the caller commits), for a statement that SQLAlchemy's
    execution layer would only slow down. Errors raised as SQLAlchemy would."""
    connection = _connection(_in_transaction(db))
    _on_driver(connection, sql, lambda cursor: cursor.execute(sql, params))


def _on_driver(connection: Connection, sql: str, call: Callable[[Any], T]) -> T:
    """``call(cursor)`` on a cursor of the DB-API connection of ``connection``, which runs
    ``sql``; its errors raised as SQLAlchemy would."""
    try:
        cursor = connection.connection.cursor()
        try:
            return call(cursor)
        finally:
            cursor.close()
    except connection.dialect.loaded_dbapi.Error as error:
        raise _wrapped(connection, sql, error) from None


def _text(value: Any) -> str | None:
    """A parameter as a batched statement binds it (see :meth:`DriverQuery.first_each`)."""
    return None if value is None else str(value)


def _connection(db: Db) -> Connection:
    if isinstance(db, Connection):
        return db
    db.flush()  # as Session.execute would: the query sees the session's pending changes
    return db.connection()


def _in_transaction(db: Db) -> Db:
    """``db``, in a transaction that its ``commit`` commits (a Session always is)."""
    if isinstance(db, Connection) and not db.in_transaction():
        db.begin()
    return db


def _columns(statement: ClauseElement) -> Sequence[Any]:
    return list(getattr(statement, "exported_columns", ()))


class Reader(Protocol):
    """Runs lone reads for async code (``ucauth.server.database.Database``)."""

    def read(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``work(connection, ...)`` in place, outside a transaction (it commits its writes)."""
        ...

    async def fetch(self, query: DriverQuery, params: Mapping[str, str]) -> Any:
        """``query.first(connection, params)``, possibly batched with concurrent reads."""
        ...


def _wrapped(connection: Connection, sql: str, error: Any) -> StatementError:
    """A DB-API error of ``connection`` as SQLAlchemy would raise it. After a disconnect, as
    SQLAlchemy does, the connection is invalidated and so is every other one its pool holds
    (the database restarted: they are all dead), so that the next checkouts connect afresh
    instead of each failing once."""
    dialect = connection.dialect
    disconnect = dialect.is_disconnect(error, connection.connection.dbapi_connection, None)
    if disconnect:
        connection.invalidate(error)
        connection.engine.dispose(close=False)  # a new pool; the old one's are dropped
    return sqlalchemy_error(sql, error, dialect, invalidated=disconnect)


def sqlalchemy_error(
    sql: str, error: Any, dialect: Dialect, *, invalidated: bool = False
) -> StatementError:
    """A DB-API error as SQLAlchemy would raise it (``OperationalError`` when the database
    went away, ...), its parameters hidden: what the server maps to its answers."""
    wrapped: StatementError = DBAPIError.instance(
        sql,
        None,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=invalidated,
        dialect=dialect,
    )
    return wrapped


class _CompiledQuery:
    """A statement's SQL for one dialect, its constant parameters, its parameters' and
    columns' converters."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = str(compiled)
        self.on_postgres = dialect.name == "postgresql"
        processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[name] = process
        self.names = [name for name, bind in compiled.binds.items() if bind.value is None]
        constants = compiled.construct_params(dict.fromkeys(self.names))
        self._params = {
            name: processors[name](value)
            if name in processors and name not in self.names
            else value
            for name, value in constants.items()
        }
        self._processors = [(name, processors[name]) for name in self.names if name in processors]
        self._positions = compiled.positiontup  # None for named parameters (psycopg)
        self.converters = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in _columns(statement)
        ]

    def bound(self, params: Mapping[str, Any]) -> Any:
        values = {**self._params, **params}
        for name, process in self._processors:
            if name in params:
                values[name] = process(values[name])
        if self._positions is None:
            return values
        return [values[name] for name in self._positions if name is not None]

    @cached_property
    def batched_sql(self) -> str:
        """PostgreSQL: the statement run for many parameter sets at once (see
        :meth:`batched_params`); each answer row starts with its set's ordinal, from 1 (a set
        without a row has none)."""
        if self._positions is not None:
            raise ValueError("batched statements need named parameters (psycopg)")
        sql = self.sql
        for name in self.names:
            sql = sql.replace(f"%({name})s", f"batch.{name}")
        arrays = ", ".join(f"%({name})b::text[]" for name in self.names)  # binary: no escaping
        # Built from our own compiled statement and its parameter names; values stay bound.
        columns = ", ".join(self.names)
        return (
            f"SELECT batch.ordinal, answer.* FROM unnest({arrays}) WITH ORDINALITY"  # noqa: S608
            f" AS batch({columns}, ordinal) CROSS JOIN LATERAL ({sql}) AS answer"
        )

    def batched_params(self, sets: Sequence[Mapping[str, str | None]]) -> dict[str, Any]:
        """The parameters of :attr:`batched_sql` for these sets: one text array per name."""
        params = {k: v for k, v in self._params.items() if k not in self.names}
        for name in self.names:
            params[name] = [values[name] for values in sets]
        for name, process in self._processors:
            params[name] = [process(value) for value in params[name]]
        return params
