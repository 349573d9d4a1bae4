"""Request and response bodies of the batch rights search (``POST /api/v1/right-search/batch``).

Shared by the server and the HIS client (``ucauth.client``). Each result holds the same
SRM-style document as the single right search (:class:`ucauth.rights.rest.RightSearchResponse`),
or the error of that ID.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, Field

from ucauth.rights.errors import InvalidPatientIdError, PersonNotFoundError
from ucauth.rights.rest import RightSearchResponse, right_search_response

if TYPE_CHECKING:  # the HIS client uses these models without the server's database stack
    from ucauth.rights.lookups import BatchLookup

MAX_BATCH = 1000  # citizen IDs per batch request

PersonId = Annotated[str, Field(max_length=32, description="a citizen ID (13 digits)")]


class BatchRequest(BaseModel):
    pids: list[PersonId] = Field(min_length=1, max_length=MAX_BATCH)


class BatchError(BaseModel):
    """Why an ID has no result: ``invalid_cid`` or ``person_not_found``."""

    code: str
    message: str


class BatchItem(BaseModel):
    """The result of one ID, in the order asked: ``result`` or ``error``."""

    pid: str
    wsid: str | None = Field(description="the lookup's request id; null for an invalid ID")
    result: RightSearchResponse | None = None
    error: BatchError | None = None


class BatchResponse(BaseModel):
    wsid_batch: str
    results: list[BatchItem]


def batch_items(batch: BatchLookup, lang: str) -> list[BatchItem]:
    """The result or error of each ID of a batch, in the order asked, messages in ``lang``."""
    not_found = PersonNotFoundError()
    items = []
    for pid, item in batch.items:
        if isinstance(item, InvalidPatientIdError):
            error = BatchError(code=item.code, message=item.message(lang))
            items.append(BatchItem(pid=pid, wsid=None, error=error))
        elif item.beneficiary is None:
            error = BatchError(code=not_found.code, message=not_found.message(lang))
            items.append(BatchItem(pid=pid, wsid=item.wsid, error=error))
        else:
            result = right_search_response(item.beneficiary, checked_at=batch.at)
            items.append(BatchItem(pid=pid, wsid=item.wsid, result=result))
    return items
