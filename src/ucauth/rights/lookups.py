"""Rights lookups: the one path every channel (SOAP, REST, batch, FHIR, web) takes.

A lookup validates the citizen ID, reads the registry (one indexed query, batched with
concurrent ones on PostgreSQL; the same query checks a staff member's token when the caller is
not yet known), gives the lookup its request id (``wsid``) and awaits the commit of its audit
record before it returns, so no answer leaves unaudited (R9). Audit records of concurrent
lookups share one commit (:class:`ucauth.audit.writer.AuditWriter`). Channels only say who is
calling (:mod:`ucauth.rights.callers`) and turn the result into their documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ucauth.audit.service import Action, Event
from ucauth.audit.writer import AuditWriter
from ucauth.cid import is_valid_cid
from ucauth.clock import Clock
from ucauth.db import Reader
from ucauth.rights.beneficiary import Beneficiary
from ucauth.rights.callers import Caller, StaffCredentials
from ucauth.rights.errors import InvalidPatientIdError
from ucauth.rights.ids import RequestIds
from ucauth.rights.schemas import MAX_BATCH
from ucauth.rights.service import (
    authenticate_and_find,
    find_beneficiaries,
    find_beneficiary_batched,
)
from ucauth.tokens.service import authenticate_batched

FOUND, NOT_FOUND = "found", "not_found"


class Channel(StrEnum):
    """How a lookup came in; recorded in the audit."""

    SOAP = "soap"
    REST = "rest"
    BATCH = "batch"
    FHIR = "fhir"
    WEB = "web"


@dataclass(frozen=True)
class Lookup:
    """One person looked up: who (None when nobody has the ID), under which request id, when."""

    person_id: str
    beneficiary: Beneficiary | None
    wsid: str
    at: datetime


@dataclass(frozen=True)
class BatchLookup:
    """A batch: each ID asked for with its Lookup or its refusal, in the order asked."""

    wsid_batch: str
    at: datetime
    items: list[tuple[str, Lookup | InvalidPatientIdError]]


class Lookups:
    """Rights lookups with their audit; one per server process."""

    def __init__(self, database: Reader, audit: AuditWriter, ids: RequestIds, clock: Clock) -> None:
        self._database, self._audit, self._ids, self._clock = database, audit, ids, clock

    async def one(
        self,
        caller: Caller | StaffCredentials,
        person_id: str,
        *,
        channel: Channel,
        client_address: str,
    ) -> Lookup:
        """Look one person up for ``caller``: who asks, or a staff member's credentials, checked
        in the lookup's own query (what the check raises is raised, before an invalid ID's
        InvalidPatientIdError; nothing is audited for an invalid ID)."""
        now = self._clock.now()
        if not is_valid_cid(person_id):
            if isinstance(caller, StaffCredentials):
                await authenticate_batched(
                    self._database,
                    caller.config,
                    caller.cid,
                    caller.token,
                    now=now,
                    client_address=client_address,
                )
            raise InvalidPatientIdError(cid=person_id[:32])
        if isinstance(caller, StaffCredentials):
            user, found = await authenticate_and_find(
                self._database,
                caller.config,
                caller.cid,
                caller.token,
                person_id,
                now=now,
                client_address=client_address,
            )
            caller = Caller.of(user)
        else:
            found = await find_beneficiary_batched(self._database, person_id)
        lookup = Lookup(person_id, found, self._ids.wsid(), now)
        await self._audit.write(now, _event(caller, lookup, channel, client_address))
        return lookup

    async def many(
        self, caller: Caller, person_ids: Sequence[str], *, channel: Channel, client_address: str
    ) -> BatchLookup:
        """Look up to ``MAX_BATCH`` IDs with one query; an invalid ID gets its refusal (and no
        audit record), every other one a Lookup and an audit record (all committed together)."""
        if len(person_ids) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} IDs per batch")
        now = self._clock.now()
        valid = {pid for pid in person_ids if is_valid_cid(pid)}
        found = self._database.read(find_beneficiaries, valid)
        batch = BatchLookup(self._ids.wsid_batch(), now, [])
        for pid in person_ids:
            if pid in valid:
                batch.items.append((pid, Lookup(pid, found.get(pid), self._ids.wsid(), now)))
            else:
                batch.items.append((pid, InvalidPatientIdError(cid=pid[:32])))
        details = {"wsid_batch": batch.wsid_batch}
        events = [
            _event(caller, item, channel, client_address, details)
            for _, item in batch.items
            if isinstance(item, Lookup)
        ]
        await self._audit.write(now, *events)
        return batch


def _event(
    caller: Caller,
    lookup: Lookup,
    channel: Channel,
    client_address: str,
    details: dict[str, str] | None = None,
) -> Event:
    return Event(
        Action.RIGHTS_LOOKUP,
        actor=caller.actor,
        reason=NOT_FOUND if lookup.beneficiary is None else FOUND,
        subject_cid=lookup.person_id,
        agent_id=caller.agent_id,
        unit_hcode=caller.unit_hcode,
        client_address=client_address,
        channel=channel,
        wsid=lookup.wsid,
        details=details or {},
    )
