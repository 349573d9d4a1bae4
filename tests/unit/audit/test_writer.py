"""Group commit: concurrent audit records share commits; a failed commit fails exactly the
requests it held; nobody returns before their record is committed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.support.rights import audit_refused
from ucauth.audit.errors import AuditUnavailableError
from ucauth.audit.models import AuditEvent
from ucauth.audit.service import Event
from ucauth.audit.writer import AuditWriter, Stamped
from ucauth.server.database import Database

AT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url, pool_size=2)
    yield database
    asyncio.run(database.dispose())


class CountingStore:
    """``Database.store_audit`` that notes the size of each group it commits; the first group
    can be held back until ``release`` is set."""

    def __init__(self, database: Database, *, hold_first: bool = False) -> None:
        self.database, self.groups = database, list[int]()
        self.hold_first = hold_first
        self.release: asyncio.Event | None = None

    async def __call__(self, group: Sequence[Stamped]) -> None:
        self.groups.append(len(group))
        if self.hold_first and len(self.groups) == 1:
            self.release = self.release or asyncio.Event()
            await self.release.wait()
        await self.database.store_audit(group)


def _event(n: int) -> Event:
    return Event("rights_lookup", actor="1101700230705", wsid=f"WS{n:015d}", channel="rest")


def _stored(database: Database) -> int:
    count = select(func.count()).select_from(AuditEvent)
    return database.read(lambda connection: connection.execute(count).scalar_one())


def test_concurrent_records_share_one_commit(database: Database) -> None:
    store = CountingStore(database)

    async def main() -> None:
        writer = AuditWriter(store)
        await asyncio.gather(*(writer.write(AT, _event(n)) for n in range(50)))

    asyncio.run(main())
    assert store.groups == [50]
    assert _stored(database) == 50


def test_records_arriving_during_a_commit_go_into_the_next_one(database: Database) -> None:
    store = CountingStore(database, hold_first=True)
    stored_when_first_returned: list[int] = []

    async def first(writer: AuditWriter) -> None:
        await writer.write(AT, _event(0))
        stored_when_first_returned.append(_stored(database))

    async def main() -> None:
        store.release = asyncio.Event()
        writer = AuditWriter(store)
        lone = asyncio.create_task(first(writer))
        await asyncio.sleep(0.01)  # the first commit is under way, held
        later = [asyncio.create_task(writer.write(AT, _event(n), _event(-n))) for n in range(1, 11)]
        await asyncio.sleep(0.01)
        assert not lone.done() and not any(task.done() for task in later)
        store.release.set()
        await asyncio.gather(lone, *later)
        await writer.close()

    asyncio.run(main())
    assert store.groups == [1, 20]
    assert stored_when_first_returned[0] >= 1  # its own record, at least, was committed
    assert _stored(database) == 21


def test_a_failed_commit_fails_its_requests_and_the_writer_goes_on(
    database: Database, database_url: str
) -> None:
    async def main() -> None:
        writer = AuditWriter(database.store_audit)
        with audit_refused(database_url):
            outcomes = await asyncio.gather(
                *(writer.write(AT, _event(n)) for n in range(5)), return_exceptions=True
            )
        assert all(isinstance(outcome, AuditUnavailableError) for outcome in outcomes)
        assert _stored(database) == 0
        await writer.write(AT, _event(9))

    asyncio.run(main())
    assert _stored(database) == 1


def test_a_cancelled_request_does_not_disturb_the_others(database: Database) -> None:
    store = CountingStore(database, hold_first=True)

    async def main() -> None:
        store.release = asyncio.Event()
        writer = AuditWriter(store)
        tasks = [asyncio.create_task(writer.write(AT, _event(n))) for n in range(3)]
        await asyncio.sleep(0.01)
        tasks[1].cancel()
        store.release.set()
        done = await asyncio.gather(*tasks, return_exceptions=True)
        assert isinstance(done[1], asyncio.CancelledError) and done[0] is None is done[2]

    asyncio.run(main())
    assert _stored(database) == 3  # the cancelled request's record was in the group already
