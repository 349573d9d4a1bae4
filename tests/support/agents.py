"""A test signer that plays the workstation agent: challenge, sign, log in, ask account status.

``TestAgent`` holds an enrolled agent's id and Ed25519 key and builds request bodies through
:mod:`ucauth.tokens.protocol`, exactly as the real agent does; keyword arguments let a test
tamper with one field at a time. It works with FastAPI's TestClient and with
``httpx.Client(base_url=...)`` against a running server.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ucauth.tokens import protocol

CARD_DIGEST = hashlib.sha256(b"test card data").digest()
CARD_EXPIRY = date(2031, 3, 14)


@dataclass
class TestAgent:
    """An enrolled workstation for tests."""

    __test__ = False  # not a test class, despite the name

    agent_id: int
    key: Ed25519PrivateKey
    origin: str

    def challenge(self, client: httpx.Client, cid: str) -> bytes:
        """Ask the server for a nonce for ``cid``; the nonce's bytes."""
        response = client.post(
            "/api/v1/auth/challenge", json={"agent_id": self.agent_id, "cid": cid}
        )
        assert response.status_code == 200, response.text
        return protocol.decode_b64(response.json()["nonce"], protocol.NONCE_BYTES, "nonce")

    def signed_login(
        self,
        nonce: bytes,
        cid: str,
        *,
        card_expiry: date | None = CARD_EXPIRY,
        card_digest: bytes = CARD_DIGEST,
        signed_at: datetime | None = None,
        origin: str | None = None,
        key: Ed25519PrivateKey | None = None,
        agent_id: int | None = None,
    ) -> protocol.SignedLogin:
        """A signed login; ``key`` signs instead of the agent's own (a forger), ``agent_id``
        claims to be another agent."""
        payload = protocol.LoginPayload(
            origin=origin or self.origin,
            nonce=nonce,
            cid=cid,
            card_digest=card_digest,
            card_expiry=card_expiry,
            signed_at=signed_at or datetime.now(UTC),
        )
        return protocol.sign_login(key or self.key, agent_id or self.agent_id, payload)

    def login_body(self, nonce: bytes, cid: str, **overrides: Any) -> dict[str, object]:
        """The JSON body of a signed login (see :meth:`signed_login` for the overrides)."""
        return self.signed_login(nonce, cid, **overrides).to_json()

    def signed_status(
        self, nonce: bytes, cid: str, *, key: Ed25519PrivateKey | None = None
    ) -> protocol.SignedAccountStatusQuery:
        query = protocol.AccountStatusQuery(origin=self.origin, nonce=nonce, cid=cid)
        return protocol.sign_account_status(key or self.key, self.agent_id, query)

    def status_body(self, nonce: bytes, cid: str, **overrides: Any) -> dict[str, object]:
        return self.signed_status(nonce, cid, **overrides).to_json()

    def login(self, client: httpx.Client, cid: str, **overrides: Any) -> httpx.Response:
        """Challenge then login; the login response."""
        nonce = self.challenge(client, cid)
        return client.post("/api/v1/auth/login", json=self.login_body(nonce, cid, **overrides))

    def token(self, client: httpx.Client, cid: str) -> str:
        """Log ``cid`` in; the new token."""
        response = self.login(client, cid)
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token
