"""The HIS kit's Python client: rights lookups on a ucauth server (REST, SOAP, batch), log-on
checks, and the token of whoever is logged in at this workstation.

    from ucauth.client import RightsClient, agent_token

    with RightsClient("https://ucauth.example.go.th", agent_token().credentials()) as client:
        rights = client.right_search("3150300174300")  # None when nobody has the ID

``AsyncRightsClient`` and ``async_agent_token`` are the same for asyncio. Failures raise
:mod:`ucauth.client.errors`; results are the server's pydantic models (and
:class:`SoapRights` for SOAP).
"""

from ucauth.client.agent import (
    DEFAULT_AGENT,
    AgentToken,
    agent_token,
    async_agent_token,
    token_file,
)
from ucauth.client.calls import Credentials
from ucauth.client.errors import (
    AgentUnavailableError,
    ClientError,
    CredentialsRefusedError,
    RequestRefusedError,
    ServerFailedError,
    ServerUnreachableError,
    ThrottledError,
)
from ucauth.client.rights import DEFAULT_SERVER, AsyncRightsClient, RightsClient
from ucauth.client.soap import SoapRights

__all__ = [
    "DEFAULT_AGENT",
    "DEFAULT_SERVER",
    "AgentToken",
    "AgentUnavailableError",
    "AsyncRightsClient",
    "ClientError",
    "Credentials",
    "CredentialsRefusedError",
    "RequestRefusedError",
    "RightsClient",
    "ServerFailedError",
    "ServerUnreachableError",
    "SoapRights",
    "ThrottledError",
    "agent_token",
    "async_agent_token",
    "token_file",
]
