"""The agent ↔ server login protocol: canonical signed messages and Ed25519 signatures.

Framework-free and database-free: the server and the workstation agent both import it, so the
bytes one side signs are the bytes the other side checks.

A signed message is a context label followed by fields, each written as a 2-byte big-endian
length and its bytes. The origin and the nonce enter as their SHA-256 digests, each its own field,
so no boundary between them can shift. Login fields, in order::

    b"ucauth/login/v1", SHA-256(origin), SHA-256(nonce), CID (13 ASCII digits),
    card digest (32 bytes), card expiry ("YYYY-MM-DD", or "" for a lifetime card),
    signed at ("YYYY-MM-DDTHH:MM:SSZ", UTC)

Account-status request fields: ``b"ucauth/account-status/v1", SHA-256(origin), SHA-256(nonce),
CID``. On the wire, bytes are unpadded base64url (nonce, public key, signature) or hex (card
digest). The nonce is opaque to agents: :data:`NONCE_BYTES` the server made
(:mod:`ucauth.tokens.nonces`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import ClassVar
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.bindings import crypto_core_ed25519_is_valid_point, crypto_sign_open
from nacl.exceptions import BadSignatureError

from ucauth.tokens.errors import ProtocolError
from ucauth.tokens.nonces import NONCE_BYTES as NONCE_BYTES

DIGEST_BYTES = 32
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
CID_LENGTH = 13
LOGIN_CONTEXT = b"ucauth/login/v1"
ACCOUNT_STATUS_CONTEXT = b"ucauth/account-status/v1"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")


@lru_cache(maxsize=64)  # a server sees its own origin in every request
def normalize_origin(url: str) -> str:
    """The origin of ``url``: ``scheme://host[:port]``, lower case, default port dropped.

    Path, query and fragment are dropped. Agents sign the origin of the server URL they were
    configured with; the server compares it with its own configured origin.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise ProtocolError(field="origin") from error
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host or parts.username is not None:
        raise ProtocolError(field="origin")
    if ":" in host:
        host = f"[{host}]"
    return (
        f"{scheme}://{host}"
        if port in (None, _DEFAULT_PORTS[scheme])
        else f"{scheme}://{host}:{port}"
    )


def encode_b64(data: bytes) -> str:
    """Unpadded base64url text of ``data``."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_b64(text: str, length: int, field: str) -> bytes:
    """The ``length`` bytes of unpadded base64url ``text``, or ProtocolError naming ``field``."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ProtocolError(field=field) from error
    if len(data) != length or encode_b64(data) != text:
        raise ProtocolError(field=field)
    return data


def decode_hex(text: str, length: int, field: str) -> bytes:
    """The ``length`` bytes of lower-case hex ``text``, or ProtocolError naming ``field``."""
    try:
        data = bytes.fromhex(text)
    except ValueError as error:
        raise ProtocolError(field=field) from error
    if len(data) != length or data.hex() != text:
        raise ProtocolError(field=field)
    return data


def format_time(moment: datetime) -> str:
    """``moment`` in UTC to the second: ``2026-11-25T03:04:05Z``."""
    if moment.tzinfo is None:
        raise ProtocolError(field="signed_at")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """The inverse of :func:`format_time` (exactly its shape)."""
    match = _TIME.fullmatch(text)
    if match is None:
        raise ProtocolError(field="signed_at")
    try:
        year, month, day, hour, minute, second = map(int, match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as error:  # 2026-02-30 and the like
        raise ProtocolError(field="signed_at") from error


def _fields(*values: bytes) -> bytes:
    return b"".join(len(value).to_bytes(2, "big") + value for value in values)


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _check(condition: bool, field: str) -> None:
    if not condition:
        raise ProtocolError(field=field)


def _check_cid_shape(cid: str) -> None:
    _check(len(cid) == CID_LENGTH and cid.isascii() and cid.isdigit(), "cid")


@dataclass(frozen=True)
class LoginPayload:
    """What an agent signs to log the card holder in.

    ``card_digest`` is the card layer's ``digest()`` (SHA-256 of the card data read);
    ``card_expiry`` the card's expiry, ``None`` for a lifetime card.
    """

    context: ClassVar[bytes] = LOGIN_CONTEXT

    origin: str
    nonce: bytes
    cid: str
    card_digest: bytes
    card_expiry: date | None
    signed_at: datetime

    def __post_init__(self) -> None:
        _check(self.origin == normalize_origin(self.origin), "origin")
        _check(len(self.nonce) == NONCE_BYTES, "nonce")
        _check_cid_shape(self.cid)
        _check(len(self.card_digest) == DIGEST_BYTES, "card_digest")
        format_time(self.signed_at)

    def encode(self) -> bytes:
        """The canonical bytes that are signed."""
        return _fields(
            self.context,
            _sha256(self.origin.encode("utf-8")),
            _sha256(self.nonce),
            self.cid.encode("ascii"),
            self.card_digest,
            (self.card_expiry.isoformat() if self.card_expiry else "").encode("ascii"),
            format_time(self.signed_at).encode("ascii"),
        )


@dataclass(frozen=True)
class AccountStatusQuery:
    """What an agent signs to learn the status of the account of the card's CID (its step 4)."""

    context: ClassVar[bytes] = ACCOUNT_STATUS_CONTEXT

    origin: str
    nonce: bytes
    cid: str

    def __post_init__(self) -> None:
        _check(self.origin == normalize_origin(self.origin), "origin")
        _check(len(self.nonce) == NONCE_BYTES, "nonce")
        _check_cid_shape(self.cid)

    def encode(self) -> bytes:
        """The canonical bytes that are signed."""
        return _fields(
            self.context,
            _sha256(self.origin.encode("utf-8")),
            _sha256(self.nonce),
            self.cid.encode("ascii"),
        )


SignedMessage = LoginPayload | AccountStatusQuery


@dataclass(frozen=True)
class SignedLogin:
    """A login request: the payload, the enrolled agent that signed it and the signature."""

    agent_id: int
    payload: LoginPayload
    signature: bytes

    def to_json(self) -> dict[str, object]:
        """The body of ``POST /api/v1/auth/login``."""
        payload = self.payload
        return {
            "agent_id": self.agent_id,
            "origin": payload.origin,
            "nonce": encode_b64(payload.nonce),
            "cid": payload.cid,
            "card_digest": payload.card_digest.hex(),
            "card_expiry": payload.card_expiry.isoformat() if payload.card_expiry else None,
            "signed_at": format_time(payload.signed_at),
            "signature": encode_b64(self.signature),
        }


@dataclass(frozen=True)
class SignedAccountStatusQuery:
    """An account-status request signed by an enrolled agent."""

    agent_id: int
    query: AccountStatusQuery
    signature: bytes

    def to_json(self) -> dict[str, object]:
        """The body of ``POST /api/v1/auth/account-status``."""
        return {
            "agent_id": self.agent_id,
            "origin": self.query.origin,
            "nonce": encode_b64(self.query.nonce),
            "cid": self.query.cid,
            "signature": encode_b64(self.signature),
        }


def generate_private_key() -> Ed25519PrivateKey:
    """A new Ed25519 key pair for an agent."""
    return Ed25519PrivateKey.generate()


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte public key, as registered at enrolment."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def private_key_to_pem(private_key: Ed25519PrivateKey) -> bytes:
    """PKCS#8 PEM (unencrypted: the agent keeps it in a user-only file)."""
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def private_key_from_pem(pem: bytes) -> Ed25519PrivateKey:
    """The inverse of :func:`private_key_to_pem`; ProtocolError for anything not an Ed25519 key."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except ValueError as error:
        raise ProtocolError(field="private_key") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ProtocolError(field="private_key")
    return key


def sign_login(private_key: Ed25519PrivateKey, agent_id: int, payload: LoginPayload) -> SignedLogin:
    """Sign ``payload`` with the agent's key."""
    return SignedLogin(agent_id, payload, private_key.sign(payload.encode()))


def sign_account_status(
    private_key: Ed25519PrivateKey, agent_id: int, query: AccountStatusQuery
) -> SignedAccountStatusQuery:
    """Sign an account-status request with the agent's key."""
    return SignedAccountStatusQuery(agent_id, query, private_key.sign(query.encode()))


def verify_signature(public_key: bytes, message: SignedMessage, signature: bytes) -> bool:
    """True when ``signature`` is the Ed25519 signature of ``message`` by ``public_key``.

    libsodium's strict verification (through PyNaCl, about twice as fast as ``cryptography``'s
    here): it also refuses non-canonical encodings and small-order points, which no agent's key
    or signature has."""
    if len(signature) != SIGNATURE_BYTES or len(public_key) != PUBLIC_KEY_BYTES:
        return False
    try:
        crypto_sign_open(signature + message.encode(), public_key)
    except (BadSignatureError, ValueError):
        return False
    return True


def check_public_key(data: bytes) -> bytes:
    """``data`` when it is a usable raw Ed25519 public key (32 bytes, a canonical point of the
    prime-order subgroup, as every generated key is), else ProtocolError."""
    if len(data) != PUBLIC_KEY_BYTES or not crypto_core_ed25519_is_valid_point(data):
        raise ProtocolError(field="public_key")
    return data
