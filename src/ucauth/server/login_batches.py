"""Card logins, batched: concurrent logins share one transaction, its statements and its commit.

A login is an Ed25519 check, a few small writes and a commit. :class:`LoginBatcher` runs one
batch at a time (``ucauth.tokens.service.login_many`` through
:meth:`ucauth.server.database.Database.run`): the logins that arrive while a batch is under way
wait and go together into the next one. That one starts as soon as the batch ends, before the
batch's logins are answered (their answers are written while it waits for the database); with
no login waiting, the next starts when the event loop has handed over every login it has
received (two turns of the loop without a new one: no timer). Under load one commit (and on
PostgreSQL one statement per step) serves many logins; a lone login waits for two turns of the
loop only.

Two logins of one card holder never share a batch: the later one waits for the next batch, so
it voids the earlier one's token as a login does. If a batch fails (the database is
unreachable), each of its logins gets that error; a refused login gets its own refusal only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ucauth.clock import Clock
from ucauth.randomness import RandomSource
from ucauth.server.database import Database
from ucauth.tokens.protocol import SignedLogin
from ucauth.tokens.service import (
    IssuedToken,
    LoginAttempt,
    LoginOutcome,
    TokenConfig,
    login_many,
)

MAX_BATCH = 100  # logins per transaction
QUIET_TURNS = 2  # a batch starts when no login joined it in this many turns of the event loop
Waiting = list[tuple[LoginAttempt, "asyncio.Future[IssuedToken]"]]
Running = tuple[Waiting, "asyncio.Future[list[LoginOutcome]]"]  # a batch and its outcomes


class LoginBatcher:
    """Runs card logins in batches; one per process, used from its event loop only."""

    def __init__(
        self, database: Database, config: TokenConfig, clock: Clock, random: RandomSource
    ) -> None:
        self._database, self._config = database, config
        self._clock, self._random = clock, random
        self._pending: Waiting = []
        self._task: asyncio.Task[None] | None = None

    async def login(self, request: SignedLogin, client_address: str) -> IssuedToken:
        """The new token of this signed login; its refusal (a ``TokensError``) raised."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[IssuedToken] = loop.create_future()
        self._pending.append((LoginAttempt(request, client_address), future))
        if self._task is None:
            # Started on the loop's next turn: logins already waiting to run join this batch.
            self._task = loop.create_task(self._run_batches())
        return await future

    async def close(self) -> None:
        """Wait for the logins submitted so far (at shutdown)."""
        if self._task is not None:
            await self._task

    async def _run_batches(self) -> None:
        running: Running | None = None
        try:
            while running is not None or await self._gathered():
                running = running or self._start()
                try:
                    outcomes: Sequence[LoginOutcome | Exception] = await running[1]
                except Exception as error:  # the database failed: each login gets the error
                    outcomes = [error] * len(running[0])
                batch, running = running[0], None
                if self._pending:
                    # Those that arrived meanwhile go to the database before these are answered.
                    running = self._start()
                _settle(batch, outcomes)
        finally:  # futures are left only when this run is cancelled (shutdown)
            for _, future in [*(running[0] if running else []), *self._pending]:
                future.cancel()
            self._pending, self._task = [], None

    async def _gathered(self) -> bool:
        """Whether logins are waiting, once the loop has handed over every login it is reading
        (no new one in :data:`QUIET_TURNS` turns of the loop; no timer)."""
        quiet = 0
        while self._pending and quiet < QUIET_TURNS:
            waiting = len(self._pending)
            await asyncio.sleep(0)  # one turn: requests already received get to submit theirs
            quiet = quiet + 1 if len(self._pending) == waiting else 0
        return bool(self._pending)

    def _start(self) -> Running:
        """The next batch, its logins under way."""
        batch, self._pending = _one_per_card_holder(self._pending)
        job = asyncio.get_running_loop().create_task(
            self._database.run(
                login_many,
                self._config,
                [attempt for attempt, _ in batch],
                now=self._clock.now(),
                random=self._random,
            )
        )
        return batch, job


def _settle(batch: Waiting, outcomes: Sequence[LoginOutcome | Exception]) -> None:
    """Answer each login of a finished batch: its token, its refusal or the batch's error."""
    for (_, future), outcome in zip(batch, outcomes, strict=True):
        if future.done():
            continue  # its request has gone
        if isinstance(outcome, IssuedToken):
            future.set_result(outcome)
        else:
            future.set_exception(outcome)


def _one_per_card_holder(pending: Waiting) -> tuple[Waiting, Waiting]:
    """The next batch (at most one login per CID, :data:`MAX_BATCH` at most) and the rest."""
    batch: Waiting = []
    rest: Waiting = []
    cids: set[str] = set()
    for waiting in pending:
        cid = waiting[0].request.payload.cid
        if cid in cids or len(batch) == MAX_BATCH:
            rest.append(waiting)
        else:
            cids.add(cid)
            batch.append(waiting)
    return batch, rest
