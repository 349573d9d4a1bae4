"""Which pages may post the rights-search log-on without our CSRF token."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ucauth.settings import ServerSettings
from ucauth.web.pages import allowed_origin

DEFAULT = frozenset(ServerSettings().web_login_origins.split(","))


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:8189",
        "http://127.0.0.1:40123",
        "http://localhost:8189",
        "http://[::1]:8189",
    ],
)
def test_an_agent_on_any_loopback_port_may_post_by_default(origin: str) -> None:
    assert allowed_origin(origin, DEFAULT)


@pytest.mark.parametrize(
    "origin",
    [
        None,
        "null",
        "http://127.0.0.1",
        "https://127.0.0.1:8189",
        "http://127.0.0.2:8189",
        "http://localhost.evil.test:8189",
        "http://evil.test",
        "http://127.0.0.1:8189.evil.test",
    ],
)
def test_anything_else_may_not(origin: str | None) -> None:
    assert not allowed_origin(origin, DEFAULT)


def test_an_exact_origin_allows_that_port_only() -> None:
    allowed = frozenset(
        ServerSettings(web_login_origins="HTTP://LocalHost:8189/").web_login_origins.split(",")
    )
    assert allowed == {"http://localhost:8189"}
    assert allowed_origin("http://localhost:8189", allowed)
    assert not allowed_origin("http://localhost:8190", allowed)


def test_a_setting_that_is_no_origin_is_refused() -> None:
    with pytest.raises(ValidationError):
        ServerSettings(web_login_origins="127.0.0.1:8189")
