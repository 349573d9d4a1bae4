"""The token itself: 16 characters of ``[a-z0-9]`` (the format HIS expect), kept as HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
import string

from ucauth.randomness import RandomSource

TOKEN_ALPHABET = string.ascii_lowercase + string.digits
TOKEN_LENGTH = 16  # 36**16 ≈ 2**82.7


_ACCEPT_BELOW = 256 - 256 % len(TOKEN_ALPHABET)  # 252 = 7 × 36: bytes below it map evenly
_CHARACTER_OF = bytes(ord(TOKEN_ALPHABET[b % len(TOKEN_ALPHABET)]) for b in range(256))
_REJECTED = bytes(range(_ACCEPT_BELOW, 256))


def new_token(random: RandomSource) -> str:
    """A fresh token, uniform over the alphabet (``SecureRandom`` in production).

    Draws random bytes in one call, keeps those below 252 and takes each modulo 36 (one
    ``bytes.translate``).
    """
    token = b""
    while len(token) < TOKEN_LENGTH:
        token += random.token_bytes(2 * TOKEN_LENGTH).translate(_CHARACTER_OF, _REJECTED)
    return token[:TOKEN_LENGTH].decode("ascii")


def token_hmac(key: bytes, token: str) -> bytes:
    """What the database keeps of a token: HMAC-SHA256 under the server's key."""
    return hmac.new(key, token.encode("utf-8"), hashlib.sha256).digest()


def matches(stored: bytes, key: bytes, token: str) -> bool:
    """Constant-time comparison of ``token`` with a stored HMAC."""
    return hmac.compare_digest(stored, token_hmac(key, token))


def log_label(digest: bytes) -> str:
    """The most of a token that may appear in logs and audit: 12 hex digits of its HMAC."""
    return digest.hex()[:12]


SESSION_REFERENCE_BYTES = 16


def session_reference(key: bytes, digest: bytes) -> bytes:
    """What a web session cookie carries of its token: a keyed hash of the stored HMAC (never
    the token itself, so a stolen cookie is no HIS password, and a stolen database no cookie)."""
    return hmac.new(key, b"ucauth/web-session/v1\0" + digest, hashlib.sha256).digest()[
        :SESSION_REFERENCE_BYTES
    ]
