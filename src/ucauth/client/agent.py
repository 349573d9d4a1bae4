"""The token of whoever is logged in at this workstation, from the running ucauth agent.

The agent serves ``GET /api/token`` on loopback (default port 8189):
``{"username": CID, "token": "...", "expires_at": "..."}``.
"""

from __future__ import annotations

from datetime import datetime

import httpx
from pydantic import BaseModel, ValidationError

from ucauth.client.errors import AgentUnavailableError
from ucauth.client.rights import Credentials, raise_for_status
from ucauth.errors import UcauthError

DEFAULT_AGENT = "http://127.0.0.1:8189"
TOKEN_PATH = "/api/token"  # noqa: S105 - a path


class AgentToken(BaseModel):
    """A token as the agent hands it out: HIS username (CID), password (token), expiry."""

    username: str
    token: str
    expires_at: datetime

    def credentials(self) -> Credentials:
        return Credentials(self.username, self.token)


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
            response = http.get(agent + TOKEN_PATH, headers={"Accept": "application/json"})
        raise_for_status(response)
        return AgentToken.model_validate_json(response.content)
    except httpx.TransportError as error:
        raise AgentUnavailableError(agent=agent, detail=str(error) or repr(error)) from None
    except UcauthError as error:
        raise AgentUnavailableError(agent=agent, detail=error.message()) from None
    except ValidationError as error:
        raise AgentUnavailableError(agent=agent, detail=str(error)[:200]) from None
