"""Request and response bodies of the access-request endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, Field

from ucauth.lifecycle.models import AccessRequest, RequestStatus
from ucauth.lifecycle.service import RequestForm


class AccessRequestBody(BaseModel):
    """The public access-request form."""

    cid: str = Field(max_length=32, examples=["1101700230705"])
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    unit_hcode: str = Field(max_length=5, description="the 5-digit hcode of the unit")
    position: str = Field(max_length=100)
    phone: str = Field(max_length=30)
    email: str = Field(max_length=254)
    reason: str = Field(max_length=500)

    def form(self) -> RequestForm:
        return RequestForm(**self.model_dump())


class AccessRequestStatus(BaseModel):
    """What the requester sees of a request (the public status page)."""

    reference: str
    status: RequestStatus
    unit_hcode: str
    submitted_at: datetime
    decided_at: datetime | None
    rejection_reason: str | None

    @classmethod
    def of(cls, request: AccessRequest) -> Self:
        return cls(
            reference=request.reference,
            status=request.status,
            unit_hcode=request.unit_hcode,
            submitted_at=request.submitted_at,
            decided_at=request.decided_at,
            rejection_reason=request.decision_reason,
        )


class AccessRequestDetail(BaseModel):
    """A request as its region's administrators see it."""

    reference: str
    status: RequestStatus
    cid: str
    first_name: str
    last_name: str
    unit_hcode: str
    region_number: int
    position: str
    phone: str
    email: str
    reason: str
    submitted_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None

    @classmethod
    def of(cls, request: AccessRequest) -> Self:
        return cls.model_validate(request, from_attributes=True)


class RejectBody(BaseModel):
    reason: str = Field(max_length=200, description="shown to the requester")


StatusFilter = Literal["pending", "approved", "rejected", "all"]
