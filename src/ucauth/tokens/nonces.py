"""Stateless challenge nonces: 32 random bytes and their binding, sealed with an HMAC.

Issuing a challenge writes nothing: the nonce itself carries what the server must remember,
authenticated under a key derived from the server's token key (every process of one deployment
shares it). Layout, to agents an opaque byte string of :data:`NONCE_BYTES`::

    random (32 bytes, CSPRNG) | agent id (8, big-endian) | expiry (8, µs since the Unix epoch,
    big-endian) | CID (13 ASCII digits) | HMAC-SHA256 of everything before it (32)

Single use is the login's business: it records the nonce's HMAC (which identifies it) in
``used_nonces`` in its own transaction (:mod:`ucauth.tokens.service`). Framework-free and
database-free.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

RANDOM_BYTES = 32
_AGENT_BYTES = 8
_EXPIRY_BYTES = 8
_CID_BYTES = 13
_TAG_BYTES = 32
_SEALED = RANDOM_BYTES + _AGENT_BYTES + _EXPIRY_BYTES + _CID_BYTES
NONCE_BYTES = _SEALED + _TAG_BYTES
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KEY_LABEL = b"ucauth/nonce/v1"


def nonce_key(token_key: bytes) -> bytes:
    """The nonces' HMAC key, derived from the server's token key (a key of its own)."""
    return hmac.digest(token_key, _KEY_LABEL, "sha256")


@dataclass(frozen=True)
class Binding:
    """What a nonce was issued for; ``tag``, its HMAC, identifies it (the used-nonce key)."""

    tag: bytes
    agent_id: int
    expires_at: datetime
    cid: str


def seal(key: bytes, random: bytes, agent_id: int, cid: str, expires_at: datetime) -> bytes:
    """The nonce of ``random`` (:data:`RANDOM_BYTES` from a CSPRNG) bound to the rest."""
    if len(random) != RANDOM_BYTES or len(cid) != _CID_BYTES:
        raise ValueError("a nonce needs 32 random bytes and a 13-digit CID")
    micros = (expires_at - _EPOCH) // timedelta(microseconds=1)
    body = (
        random
        + agent_id.to_bytes(_AGENT_BYTES, "big")
        + micros.to_bytes(_EXPIRY_BYTES, "big")
        + cid.encode("ascii")
    )
    return body + hmac.digest(key, body, "sha256")


def unseal(key: bytes, nonce: bytes) -> Binding | None:
    """The binding of a nonce this server issued; None for anything else (forged, altered)."""
    body, tag = nonce[:_SEALED], nonce[_SEALED:]
    if len(nonce) != NONCE_BYTES or not hmac.compare_digest(hmac.digest(key, body, "sha256"), tag):
        return None
    agent_end = RANDOM_BYTES + _AGENT_BYTES
    expiry_end = agent_end + _EXPIRY_BYTES
    micros = int.from_bytes(body[agent_end:expiry_end], "big")
    return Binding(
        tag=tag,
        agent_id=int.from_bytes(body[RANDOM_BYTES:agent_end], "big"),
        expires_at=_EPOCH + timedelta(microseconds=micros),
        cid=body[expiry_end:].decode("ascii"),
    )
