"""Request and response bodies of the login protocol and token endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Literal, Self

from pydantic import BaseModel, Field

from ucauth.accounts.statuses import Role
from ucauth.tokens.protocol import (
    DIGEST_BYTES,
    NONCE_BYTES,
    SIGNATURE_BYTES,
    AccountStatusQuery,
    LoginPayload,
    SignedAccountStatusQuery,
    SignedLogin,
    decode_b64,
    decode_hex,
    parse_time,
)

if TYPE_CHECKING:
    from ucauth.tokens.service import AccountState, AuthenticatedUser

AgentId = Annotated[int, Field(ge=1, le=2**31 - 1)]
CidField = Field(min_length=13, max_length=13, pattern=r"^[0-9]{13}$")
B64Field = Field(max_length=128, pattern=r"^[A-Za-z0-9_-]*$")


class ChallengeRequest(BaseModel):
    agent_id: AgentId
    cid: str = Field(max_length=32, description="CID of the card in the reader")


class ChallengeResponse(BaseModel):
    nonce: str = Field(description="93 bytes, unpadded base64url; opaque; single use")
    expires_at: datetime


class LoginRequest(BaseModel):
    """:meth:`ucauth.tokens.protocol.SignedLogin.to_json`."""

    agent_id: AgentId
    origin: str = Field(max_length=300)
    nonce: str = B64Field
    cid: str = CidField
    card_digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    card_expiry: date | None = Field(description="null for a lifetime card")
    signed_at: str = Field(max_length=20, examples=["2026-11-25T03:04:05Z"])
    signature: str = B64Field

    def to_signed(self) -> SignedLogin:
        """The protocol object; ProtocolError for a value that does not decode."""
        payload = LoginPayload(
            origin=self.origin,
            nonce=decode_b64(self.nonce, NONCE_BYTES, "nonce"),
            cid=self.cid,
            card_digest=decode_hex(self.card_digest, DIGEST_BYTES, "card_digest"),
            card_expiry=self.card_expiry,
            signed_at=parse_time(self.signed_at),
        )
        signature = decode_b64(self.signature, SIGNATURE_BYTES, "signature")
        return SignedLogin(self.agent_id, payload, signature)


class LoginResponse(BaseModel):
    """What HIS need: username (CID) and password (token), valid until ``expires_at``."""

    username: str
    token: str
    expires_at: datetime


class AccountStatusRequest(BaseModel):
    """:meth:`ucauth.tokens.protocol.SignedAccountStatusQuery.to_json`."""

    agent_id: AgentId
    origin: str = Field(max_length=300)
    nonce: str = B64Field
    cid: str = CidField
    signature: str = B64Field

    def to_signed(self) -> SignedAccountStatusQuery:
        query = AccountStatusQuery(
            origin=self.origin, nonce=decode_b64(self.nonce, NONCE_BYTES, "nonce"), cid=self.cid
        )
        signature = decode_b64(self.signature, SIGNATURE_BYTES, "signature")
        return SignedAccountStatusQuery(self.agent_id, query, signature)


class AccountStatusResponse(BaseModel):
    status: Literal["active", "pending", "revoked", "suspended", "not_registered"]
    revoked_at: datetime | None = None
    revoked_reason: str | None = None

    @classmethod
    def of(cls, state: AccountState) -> AccountStatusResponse:
        return cls.model_validate(state, from_attributes=True)


class VerifyRequest(BaseModel):
    """The HIS log-on dialog: username = the staff member's CID, password = the token."""

    username: str = Field(max_length=32)
    password: str = Field(max_length=64)


class UserInfo(BaseModel):
    cid: str
    first_name: str
    last_name: str
    unit_hcode: str
    role: Role


class SessionInfo(BaseModel):
    """Whose token it is, which workstation issued it, and when it dies."""

    user: UserInfo
    agent_id: int | None
    expires_at: datetime

    @classmethod
    def of(cls, user: AuthenticatedUser) -> Self:
        return cls(
            user=UserInfo(
                cid=user.cid,
                first_name=user.first_name,
                last_name=user.last_name,
                unit_hcode=user.unit_hcode,
                role=user.role,
            ),
            agent_id=user.agent_id,
            expires_at=user.expires_at,
        )


class VerifyResponse(SessionInfo):
    valid: Literal[True] = True


class LegacyUnitInfo(BaseModel):
    username: str
    unit_hcode: str


class LegacyVerifyResponse(BaseModel):
    """A legacy unit credential (``chk…``), accepted until ``accepted_until`` (the sunset)."""

    valid: Literal[True] = True
    legacy_unit: LegacyUnitInfo
    accepted_until: datetime
