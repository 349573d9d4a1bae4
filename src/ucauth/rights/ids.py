"""Request ids of the rights service: ``wsid`` (``WS`` + 15 digits) and ``wsid_batch``
(``WSB`` + 14 digits), unique across every server process that shares the database.

Each process takes blocks of ids from a counter row in the database (one atomic upsert per
block, ``rights_id_blocks``) and hands them out from memory, so a lookup costs no database
write, ids cannot repeat across processes or restarts, and they grow over time like NHSO's
zero-padded counter (``WS000009765729244``). A process that stops leaves the rest of its block
unused: ids have gaps, never duplicates. Random ids would need no table but could repeat: at
10**8 requests, repeats among 10**15 values are all but certain.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, text

BLOCK_SIZE = 1000

_NEXT_BLOCK = text(
    "INSERT INTO rights_id_blocks (name, last_block) VALUES (:name, 1) "
    "ON CONFLICT (name) DO UPDATE SET last_block = rights_id_blocks.last_block + 1 "
    "RETURNING last_block"
)


class _Counter:
    """Numbers from blocks of ``BLOCK_SIZE`` reserved in the database under ``name``."""

    def __init__(self, engine: Engine, name: str, prefix: str, digits: int) -> None:
        self._engine, self._name = engine, name
        self._prefix, self._digits = prefix, digits
        self._lock = threading.Lock()
        self._next = self._end = 0

    def __call__(self) -> str:
        with self._lock:
            if self._next == self._end:
                with self._engine.begin() as connection:
                    block = connection.execute(_NEXT_BLOCK, {"name": self._name}).scalar_one()
                self._next, self._end = block * BLOCK_SIZE, (block + 1) * BLOCK_SIZE
            number, self._next = self._next, self._next + 1
        return f"{self._prefix}{number:0{self._digits}d}"


class RequestIds:
    """Makes ``wsid`` and ``wsid_batch`` values; thread-safe, one per server process."""

    def __init__(self, engine: Engine) -> None:
        self.wsid = _Counter(engine, "wsid", "WS", 15)
        self.wsid_batch = _Counter(engine, "wsid_batch", "WSB", 14)
