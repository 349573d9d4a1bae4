"""The challenges' memory of agents found active (``ucauth.tokens.active_agents``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ucauth.tokens.active_agents import FRESH_FOR, ActiveAgents

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)


def test_an_agent_found_active_is_trusted_for_fresh_for_and_no_longer() -> None:
    active = ActiveAgents()
    assert not active.recently_active(7, NOW)
    active.found_active(7, NOW)
    assert active.recently_active(7, NOW)
    assert active.recently_active(7, NOW + FRESH_FOR - TICK)
    assert not active.recently_active(7, NOW + FRESH_FOR)
    assert not active.recently_active(8, NOW)  # only the agent found


def test_a_clock_that_went_back_reads_again() -> None:
    active = ActiveAgents()
    active.found_active(7, NOW)
    assert not active.recently_active(7, NOW - TICK)


def test_a_forgotten_agent_is_read_again() -> None:
    active = ActiveAgents()
    active.found_active(7, NOW)
    active.forget(7)
    active.forget(8)  # never found: nothing to forget
    assert not active.recently_active(7, NOW)
