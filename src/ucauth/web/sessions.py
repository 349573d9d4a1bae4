"""Web sessions: a signed cookie, checked against the live token on every request.

The cookie (``ucauth_session``; HttpOnly, SameSite=Strict, Secure over HTTPS) holds a CSRF
secret and, once someone has logged on, their citizen ID and the session reference of their
token (:func:`ucauth.tokens.credentials.session_reference`: a keyed hash of the stored HMAC,
never the token). There is no session table: the server re-reads the user's token row on every
request (:func:`ucauth.tokens.service.authenticate_session`), so a session dies with its token
at midnight, at the user's next card login, at revocation and when an administrator ends it.
The cookie is signed with HMAC-SHA256 under a key derived from the token key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from datetime import datetime

from ucauth.randomness import RandomSource

COOKIE = "ucauth_session"
CSRF_BYTES = 16
ANONYMOUS_MAX_AGE = 12 * 3600  # seconds; a logged-on session lives until its token dies


@dataclass(frozen=True)
class WebSession:
    """What the cookie says: the CSRF secret, and who logged on (with their token's reference)."""

    csrf: str
    cid: str | None = None
    reference: bytes | None = None

    @classmethod
    def new(cls, random: RandomSource) -> WebSession:
        return cls(_b64(random.token_bytes(CSRF_BYTES)))

    def logged_on(self, cid: str, reference: bytes, random: RandomSource) -> WebSession:
        """The session after a log-on: a fresh CSRF secret (no fixation of the old one)."""
        return replace(WebSession.new(random), cid=cid, reference=reference)


def session_key(token_key: bytes) -> bytes:
    """The key that signs session cookies, derived from the server's token key."""
    return hmac.new(token_key, b"ucauth/web-cookie/v1", hashlib.sha256).digest()


def encode(session: WebSession, key: bytes) -> str:
    body = {"x": session.csrf}
    if session.cid and session.reference:
        body |= {"c": session.cid, "r": _b64(session.reference)}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode("ascii"))
    return f"{payload}.{_b64(_sign(key, payload))}"


def decode(value: str | None, key: bytes) -> WebSession | None:
    """The session of a cookie value, or None when it is missing, malformed or not ours."""
    payload, _, signature = (value or "").partition(".")
    try:
        if not hmac.compare_digest(_unb64(signature), _sign(key, payload)):
            return None
        body = json.loads(_unb64(payload))
        csrf, cid, reference = body["x"], body.get("c"), body.get("r")
        return WebSession(str(csrf), cid and str(cid), _unb64(reference) if reference else None)
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None


def cookie_max_age(session: WebSession, expires_at: datetime | None, now: datetime) -> int:
    """Seconds the browser should keep the cookie: until the token dies, else a working day."""
    if session.cid and expires_at is not None:
        return max(0, int((expires_at - now).total_seconds()))
    return ANONYMOUS_MAX_AGE


def _sign(key: bytes, payload: str) -> bytes:
    return hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
