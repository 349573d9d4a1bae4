"""SQLite: WAL checkpoints in a background thread, off the event loop.

By default the connection whose commit takes the write-ahead log past 1000 pages copies the log
back into the database file, with two disk flushes, inside that commit: on the server, a request
on the event loop stalled for milliseconds every hundred or so logins, which cost more than all
the other commits together. The server's connections turn that off; this thread checkpoints
(``PASSIVE``: never waiting for, nor blocking, readers and writers) every
:data:`INTERVAL` seconds instead. The GIL is released while SQLite works.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)
INTERVAL = 0.25


class WalCheckpointer:
    """Checkpoints ``engine``'s database in a thread until :meth:`close` (or until it is
    garbage: the thread holds it weakly)."""

    def __init__(self, engine: Engine, interval: float = INTERVAL) -> None:
        event.listen(engine, "connect", _no_autocheckpoint)
        self._engine = engine
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=_loop,
            args=(weakref.ref(self), self._stop, interval),
            name="wal-checkpoint",
            daemon=True,
        )
        self._thread.start()

    def checkpoint(self) -> int:
        """Copy what the log holds into the database file now; how many pages it copied."""
        with self._engine.connect() as connection:
            row = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        return max(int(row[2]), 0)

    def close(self) -> None:
        """Stop the thread after a last checkpoint."""
        self._stop.set()
        self._thread.join()
        self.checkpoint()


def _loop(ref: weakref.ref[WalCheckpointer], stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        checkpointer = ref()
        if checkpointer is None:
            return
        try:
            checkpointer.checkpoint()
        except Exception:
            log.exception("WAL checkpoint failed")  # the next one tries again
        del checkpointer


def _no_autocheckpoint(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
