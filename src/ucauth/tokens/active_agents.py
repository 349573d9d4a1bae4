"""Agents a challenge found enrolled and active in the last second, per server process.

A challenge checks that the asking agent is enrolled and active as a courtesy: the login
checks the agent again in its own transaction, so what a challenge decides protects nothing.
Under a burst of challenges (a morning's clerks, a benchmark) that read was a third of a
challenge's work; :class:`ActiveAgents` lets each process read an agent's status at most once
per :data:`FRESH_FOR`. A workstation disabled in another process (the CLI, another server
process) may get challenges for up to that long, and no token: the login refuses it at once.
A disable through this process's console is seen at once (:meth:`ActiveAgents.forget`).
Framework-free and database-free.
"""

from __future__ import annotations

from datetime import datetime, timedelta

FRESH_FOR = timedelta(seconds=1)


class ActiveAgents:
    """When each agent was last found active; used from one event loop."""

    def __init__(self) -> None:
        self._found: dict[int, datetime] = {}  # bounded by the enrolled, active agents

    def recently_active(self, agent_id: int, now: datetime) -> bool:
        """Whether ``agent_id`` was found active less than :data:`FRESH_FOR` before ``now``
        (a clock that went back counts as stale)."""
        found = self._found.get(agent_id)
        return found is not None and timedelta(0) <= now - found < FRESH_FOR

    def found_active(self, agent_id: int, now: datetime) -> None:
        self._found[agent_id] = now

    def forget(self, agent_id: int) -> None:
        """The agent's status changed here: read it again next time."""
        self._found.pop(agent_id, None)
