"""pytest plugin: a private pcscd with vpcd readers, and virtual Thai ID cards attached to it.

Fixtures:

- ``pcscd`` (session): a :class:`PrivatePcscd` on vpcd port 31400 (slot ``00 00``) and 31401
  (slot ``00 01``), started in the foreground with its own ``-c`` directory and stopped by PID.
  It holds the machine-wide lock ``/tmp/ucauth-pcscd.lock`` while it runs (other test runs wait
  for it) and fails, never skips, when pcscd cannot run here.
- ``attach_card``: ``attach_card(profile_or_card, slot=0)`` inserts a virtual card and waits
  until pcscd sees it; every card is removed (and its removal seen) at the end of the test.
- ``pcscd_stopped``: stops the session pcscd for one test and starts it again afterwards.

Tests that use them carry the ``pcsc`` marker and get a timeout (a stalled card hangs pcscd).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

import pytest

from ucauth.card.errors import PcscdStartError
from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.pcscd import PrivatePcscd, machine_lock, pcscd_pids
from ucauth.card.virtual.profile import CardProfile, load_named_profile
from ucauth.card.virtual.vpcd import AttachedCard, VirtualCard, attach

TEST_PORT = 31400  # and 31401; below the ephemeral ports, as ucauth.demo.card.DEMO_PORT
LOCK_TIMEOUT = float(os.environ.get("UCAUTH_PCSCD_LOCK_TIMEOUT", "900"))
PCSC_TEST_TIMEOUT = 60
PRESENCE_TIMEOUT = 5.0

AttachCard = Callable[..., AttachedCard]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every ``pcsc`` test a timeout unless it sets its own."""
    for item in items:
        if item.get_closest_marker("pcsc") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(PCSC_TEST_TIMEOUT))


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePcscd]:
    """The session's private pcscd (see the module docstring)."""
    try:
        with machine_lock(LOCK_TIMEOUT):
            others = pcscd_pids()
            if others:
                pytest.fail(
                    f"a pcscd is already running (pid {others[0]}); the pcsc tests need their own: "
                    "stop it (e.g. systemctl stop pcscd.socket pcscd) and run the tests again",
                    pytrace=False,
                )
            runner = PrivatePcscd(TEST_PORT, tmp_path_factory.mktemp("pcscd"))
            runner.start()
            try:
                yield runner
            finally:
                runner.stop()
    except PcscdStartError as error:
        pytest.fail(f"cannot run the pcsc tests: {error}", pytrace=False)


def wait_for_presence(reader: str, present: bool) -> None:
    from ucauth.card import pcsc

    pcsc.wait_for_presence(reader, present, PRESENCE_TIMEOUT)


def as_card(card: str | CardProfile | VirtualCard) -> VirtualCard:
    """A virtual card from a bundled profile name, a profile, or a card object."""
    if isinstance(card, str):
        return VirtualThaiIdCard(load_named_profile(card))
    if isinstance(card, CardProfile):
        return VirtualThaiIdCard(card)
    return card


@pytest.fixture
def attach_card(pcscd: PrivatePcscd) -> Iterator[AttachCard]:
    """``attach_card(card, slot=0, wait=True)``: insert a virtual card; removed after the test."""
    attached: list[tuple[AttachedCard, int]] = []

    def attach_to(
        card: str | CardProfile | VirtualCard, slot: int = 0, wait: bool = True
    ) -> AttachedCard:
        handle = attach(as_card(card), pcscd.slot_port(slot))
        attached.append((handle, slot))
        if wait:
            wait_for_presence(pcscd.reader(slot), present=True)
        return handle

    yield attach_to
    for handle, _ in attached:
        handle.remove()
    if pcscd.pid is not None:
        for _, slot in attached:
            with contextlib.suppress(Exception):
                wait_for_presence(pcscd.reader(slot), present=False)


@pytest.fixture
def pcscd_stopped(pcscd: PrivatePcscd) -> Iterator[PrivatePcscd]:
    """The session pcscd, stopped for this test and started again afterwards."""
    pcscd.stop()
    try:
        yield pcscd
    finally:
        pcscd.start()
