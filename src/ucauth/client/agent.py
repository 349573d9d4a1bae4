"""The token of whoever is logged in at this workstation: from the running ucauth agent
(``GET /api/token`` on loopback, default port 8189: ``{"username", "token", "expires_at"}``),
sync or async, or from the token file the agent writes (``nhso_token.txt``: ``CID#token``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
from pydantic import BaseModel, ValidationError

from ucauth.client.calls import Credentials, raise_for_status
from ucauth.client.errors import AgentUnavailableError
from ucauth.errors import UcauthError

DEFAULT_AGENT = "http://127.0.0.1:8189"
TOKEN_PATH = "/api/token"  # noqa: S105 - a path
HEADERS = {"Accept": "application/json"}


class AgentToken(BaseModel):
    """A token as the agent hands it out: HIS username (CID), password (token), expiry."""

    username: str
    token: str
    expires_at: datetime

    def credentials(self) -> Credentials:
        return Credentials(self.username, self.token)


def _decode(response: httpx.Response) -> AgentToken:
    raise_for_status(response)
    return AgentToken.model_validate_json(response.content)


def agent_token(
    agent: str = DEFAULT_AGENT,
    *,
    timeout: float = 5.0,
    transport: httpx.BaseTransport | None = None,
) -> AgentToken:
    """The current token from the agent at ``agent``; AgentUnavailableError when there is none."""
    agent = agent.rstrip("/")
    try:
        with httpx.Client(timeout=timeout, transport=transport) as http:
            response = http.get(agent + TOKEN_PATH, headers=HEADERS)
        return _decode(response)
    except (httpx.TransportError, UcauthError, ValidationError) as error:
        raise _unavailable(agent, error) from None


async def async_agent_token(
    agent: str = DEFAULT_AGENT,
    *,
    timeout: float = 5.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AgentToken:
    """:func:`agent_token` for asyncio."""
    agent = agent.rstrip("/")
    try:
        async with httpx.AsyncClient(timeout=timeout, transport=transport) as http:
            response = await http.get(agent + TOKEN_PATH, headers=HEADERS)
        return _decode(response)
    except (httpx.TransportError, UcauthError, ValidationError) as error:
        raise _unavailable(agent, error) from None


def token_file(path: Path) -> Credentials:
    """The credentials in the agent's token file; AgentUnavailableError when it is missing
    (nobody logged in) or holds no ``CID#token`` line."""
    try:
        return Credentials.from_line(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise AgentUnavailableError(agent=str(path), detail=str(error)) from None


def _unavailable(agent: str, error: Exception) -> AgentUnavailableError:
    if isinstance(error, UcauthError):
        detail = error.message()
    elif isinstance(error, ValidationError):
        detail = str(error)[:200]
    else:
        detail = str(error) or repr(error)
    return AgentUnavailableError(agent=agent, detail=detail)
