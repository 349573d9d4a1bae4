"""Virtual cards with deliberate faults, and a helper to run the CLI."""

from __future__ import annotations

import os
import subprocess
import sys

from ucauth.card.virtual.vpcd import VirtualCard, VpcdLink

FOREIGN_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
SW_FILE_NOT_FOUND = bytes.fromhex("6A82")


class ForeignCard:
    """A card that is not a Thai ID card: it has no MOI applet."""

    atr = FOREIGN_ATR

    def power_on(self) -> None:
        pass

    def power_off(self) -> None:
        pass

    def process(self, apdu: bytes) -> bytes:
        return SW_FILE_NOT_FOUND


class RemovedAfter:
    """Wraps a card and pulls it out of the reader when the APDU after the first ``count`` comes."""

    def __init__(self, card: VirtualCard, count: int) -> None:
        self.card = card
        self.left = count
        self.link: VpcdLink | None = None

    @property
    def atr(self) -> bytes:
        return self.card.atr

    def power_on(self) -> None:
        self.card.power_on()

    def power_off(self) -> None:
        self.card.power_off()

    def process(self, apdu: bytes) -> bytes:
        self.left -= 1
        if self.left < 0 and self.link is not None:
            self.link.remove()
        return self.card.process(apdu)


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """``python -m ucauth ARGS`` with English messages."""
    env = {**os.environ, "UCAUTH_LANG": "en"}
    return subprocess.run(
        [sys.executable, "-m", "ucauth", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
