"""Request and response bodies of the accounts endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ucauth.tokens.protocol import PUBLIC_KEY_BYTES, decode_b64


class EnrolRequest(BaseModel):
    """A workstation registering its Ed25519 public key with a one-time code."""

    code: str = Field(max_length=64, examples=["ABCD-EFGH-JKMN-PQRS-TVWX-YZ01"])
    name: str = Field(max_length=100, description="the workstation's name, e.g. its host name")
    public_key: str = Field(max_length=64, description="raw 32 bytes, unpadded base64url")

    def public_key_bytes(self) -> bytes:
        return decode_b64(self.public_key, PUBLIC_KEY_BYTES, "public_key")


class EnrolResponse(BaseModel):
    agent_id: int
    name: str
    unit_hcode: str
    enrolled_at: datetime
