"""CI and soak sizes of the reliability tests: ``UCAUTH_SOAK=1`` (``scripts/soak``) runs the
long variants."""

from __future__ import annotations

import os

SOAK = os.environ.get("UCAUTH_SOAK") == "1"


def scaled(ci: int, soak: int) -> int:
    """``soak`` in the soak mode, else ``ci``."""
    return soak if SOAK else ci
