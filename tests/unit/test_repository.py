"""The README's promises: its Quick start is exactly two commands, the second is what CI runs
(.ci/run), the first runs ``ucauth demo``; the links of the audience docs lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_the_quick_start_is_two_commands_the_second_is_what_ci_runs() -> None:
    assert quick_start_commands() == ["scripts/demo", "scripts/test"]
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip()]
    assert ci[-1] == "exec scripts/test"


def test_scripts_demo_runs_ucauth_demo() -> None:
    script = [line for line in (ROOT / "scripts" / "demo").read_text().splitlines() if line]
    assert script[-1] == 'exec "$VENV/bin/ucauth" demo "$@"'


def test_links_of_the_audience_docs_exist() -> None:
    for name in ("his-integration.md", "operators.md", "security.md"):
        doc = ROOT / "docs" / name
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if not target.startswith(("http://", "https://")):
                assert (doc.parent / target).resolve().exists(), f"{name}: {target}"
