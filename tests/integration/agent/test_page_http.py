"""The agent's page over HTTP (no browser): language, security headers, static files."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.support.server import ORIGIN
from ucauth.agent.page import STATIC_TYPES
from ucauth.i18n import translate


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The page does not care which database the server uses."""
    return sqlite_url


def page_data(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert found, html
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_thai_by_default_english_on_request_and_remembered(agent_client: TestClient) -> None:
    thai = agent_client.get("/")
    assert thai.status_code == 200
    assert '<html lang="th">' in thai.text
    assert translate("agent_page.title", "th") in thai.text
    assert translate("agent.step_reader", "th") in thai.text
    assert "set-cookie" not in thai.headers

    english = agent_client.get("/?lang=en")
    assert '<html lang="en">' in english.text
    assert translate("agent_page.pin_submit", "en") in english.text
    assert "ucauth_lang=en" in english.headers["set-cookie"]
    assert "samesite=strict" in english.headers["set-cookie"].lower()
    assert page_data(english.text)["lang"] == "en"
    # The cookie keeps English on the next visit; an unknown language falls back to it too.
    assert '<html lang="en">' in agent_client.get("/").text
    assert '<html lang="en">' in agent_client.get("/?lang=xx").text
    assert '<html lang="th">' in agent_client.get("/?lang=th").text


def test_strict_content_security_policy_and_no_inline_script(agent_client: TestClient) -> None:
    response = agent_client.get("/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    # The one foreign target: the enrolled server's rights-search log-on.
    assert f"form-action 'self' {ORIGIN};" in policy
    assert response.headers["cache-control"] == "no-store"
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S)
    executable = [attrs for attrs, _ in scripts if 'type="application/json"' not in attrs]
    assert executable and all('src="/static/' in attrs for attrs in executable)
    assert all(not body.strip() for attrs, body in scripts if attrs in executable)
    # Nothing from another origin: every src and href is the agent's own.
    links = re.findall(r'\b(?:src|href)="([^"]*)"', response.text)
    assert links and all(link.startswith(("/static/", "?lang=")) for link in links), links


def test_page_strings_and_time_zone_for_the_script(agent_client: TestClient) -> None:
    data = page_data(agent_client.get("/").text)
    messages = data["messages"]
    assert isinstance(messages, dict)
    assert messages["copy_button"] == translate("agent_page.copy_button", "th")
    assert data["time_zone"] == "Asia/Bangkok"


@pytest.mark.parametrize("name", sorted(STATIC_TYPES))
def test_static_files_are_served_with_their_type(agent_client: TestClient, name: str) -> None:
    html = agent_client.get("/").text
    url = re.search(rf'"(/static/{re.escape(name)}\?v=[0-9a-f]{{12}})"', html)
    assert url, name
    response = agent_client.get(url.group(1))
    assert response.status_code == 200
    assert response.headers["content-type"] == STATIC_TYPES[name]
    assert "immutable" in response.headers["cache-control"]


@pytest.mark.parametrize("name", ["page.py", "..%2Fpage.py", "nothing.js"])
def test_only_the_listed_static_files(agent_client: TestClient, name: str) -> None:
    assert agent_client.get(f"/static/{name}").status_code == 404
