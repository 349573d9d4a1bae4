"""The HIS kit's Python client: rights lookups on a ucauth server, the agent's token.

    from ucauth.client import RightsClient, agent_token

    with RightsClient("https://ucauth.example.go.th", agent_token().credentials()) as client:
        rights = client.right_search("3150300174300")  # None when nobody has the ID

Failures raise :mod:`ucauth.client.errors`; results are the server's pydantic models.
"""

from ucauth.client.agent import DEFAULT_AGENT, AgentToken, agent_token
from ucauth.client.rights import DEFAULT_SERVER, Credentials, RightsClient

__all__ = [
    "DEFAULT_AGENT",
    "DEFAULT_SERVER",
    "AgentToken",
    "Credentials",
    "RightsClient",
    "agent_token",
]
