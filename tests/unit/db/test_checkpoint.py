"""SQLite: the server's WAL checkpoints run in a background thread, not in a request's commit."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sqlalchemy import Connection

from ucauth.server.checkpoint import WalCheckpointer
from ucauth.server.database import Database


def _write(connection: Connection) -> None:
    connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
    connection.exec_driver_sql("INSERT INTO probe VALUES (1)")
    connection.commit()


def test_server_connections_leave_checkpoints_to_the_thread(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'server.db'}", pool_size=2)
    with database.engine.connect() as connection:
        setting = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert setting == 0
    asyncio.run(database.run(_write))
    assert (tmp_path / "server.db-wal").stat().st_size > 0
    main_file = tmp_path / "server.db"
    deadline = time.monotonic() + 5
    while main_file.stat().st_size < 2 * 4096 and time.monotonic() < deadline:
        time.sleep(0.05)  # the thread copies the log's pages into the database file
    assert main_file.stat().st_size >= 2 * 4096
    checkpointer = database._checkpointer
    assert isinstance(checkpointer, WalCheckpointer)
    busy, logged, copied = 1, 0, 0
    deadline = time.monotonic() + 5
    while busy and time.monotonic() < deadline:  # busy: the thread's checkpoint is under way
        with database.engine.connect() as connection:
            pragma = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            busy, logged, copied = pragma.one()
    assert busy == 0 and logged == copied  # everything in the log is in the database file
    asyncio.run(database.dispose())
    assert not checkpointer._thread.is_alive()


def test_the_thread_stops_when_its_database_is_gone(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'server.db'}", pool_size=2)
    checkpointer = database._checkpointer
    assert checkpointer is not None
    thread = checkpointer._thread
    del database, checkpointer
    thread.join(timeout=5)
    assert not thread.is_alive()
