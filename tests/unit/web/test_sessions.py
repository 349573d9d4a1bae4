"""The signed session cookie: what it carries, and that nothing else passes for it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ucauth.randomness import SeededRandom
from ucauth.tokens.credentials import session_reference, token_hmac
from ucauth.web import sessions
from ucauth.web.sessions import WebSession

KEY = sessions.session_key(b"k" * 40)
REFERENCE = session_reference(b"k" * 40, token_hmac(b"k" * 40, "abcdefghijklmnop"))


def test_a_cookie_round_trips_and_never_holds_the_token() -> None:
    session = WebSession.new(SeededRandom(1)).logged_on("3150300174300", REFERENCE, SeededRandom(2))
    value = sessions.encode(session, KEY)
    assert sessions.decode(value, KEY) == session
    assert "abcdefghijklmnop" not in value


def test_a_log_on_changes_the_csrf_secret() -> None:
    anonymous = WebSession.new(SeededRandom(1))
    assert anonymous.logged_on("3150300174300", REFERENCE, SeededRandom(2)).csrf != anonymous.csrf


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v[:-2] + ("A" if v[-2] != "A" else "B") + v[-1],  # signature
        lambda v: "e30" + v[v.index(".") :],  # another payload, the old signature
        lambda v: v.replace(".", ""),
        lambda v: "",
        lambda v: "...",
    ],
)
def test_a_tampered_cookie_is_no_session(tamper: Callable[[str], str]) -> None:
    value = sessions.encode(WebSession.new(SeededRandom(1)), KEY)
    assert sessions.decode(tamper(value), KEY) is None


def test_a_cookie_signed_with_another_key_is_no_session() -> None:
    value = sessions.encode(WebSession.new(SeededRandom(1)), sessions.session_key(b"x" * 40))
    assert sessions.decode(value, KEY) is None
