"""HTTP routes of the accounts domain: workstation enrolment."""

from __future__ import annotations

from fastapi import APIRouter

from ucauth.accounts import service
from ucauth.accounts.schemas import EnrolRequest, EnrolResponse
from ucauth.server.dependencies import ClientAddress, Context
from ucauth.server.errors import error_responses

router = APIRouter(prefix="/api/v1", tags=["agents"])


@router.post("/agents/enroll", responses=error_responses(403, 422, 429, 503))
def enroll(body: EnrolRequest, context: Context, address: ClientAddress) -> EnrolResponse:
    """Register this workstation's key for the unit that issued the one-time code."""
    with context.sessions() as session:
        agent = service.enroll_agent(
            session,
            code=body.code,
            name=body.name,
            public_key=body.public_key_bytes(),
            now=context.clock.now(),
            client_address=address,
        )
        return EnrolResponse(
            agent_id=agent.id,
            name=agent.name,
            unit_hcode=agent.unit_hcode,
            enrolled_at=agent.enrolled_at,
        )
