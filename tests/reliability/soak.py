"""CI and soak sizes of the reliability tests (``UCAUTH_SOAK=1``, ``scripts/soak``, runs the long
variants), and where they record their figures (``test-artifacts/reliability.jsonl``)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

SOAK = os.environ.get("UCAUTH_SOAK") == "1"


def scaled(ci: int, soak: int) -> int:
    """``soak`` in the soak mode, else ``ci``."""
    return soak if SOAK else ci


FIGURES = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability.jsonl"


def record_figures(test: str, **figures: object) -> None:
    """Append a test's measured figures (for docs/reliability.md) as one JSON line."""
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    line = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "soak": SOAK, "test": test}
    with FIGURES.open("a", encoding="utf-8") as out:
        out.write(json.dumps({**line, **figures}) + "\n")
