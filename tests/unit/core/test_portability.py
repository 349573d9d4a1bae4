"""The command line loads without the POSIX-only modules, as on Windows (where the agent runs):
every command group is importable and ``ucauth --help`` and each group's help work."""

from __future__ import annotations

import subprocess
import sys

BLOCK_POSIX = """
import sys
for name in ("fcntl", "termios", "grp", "resource"):
    sys.modules[name] = None  # "import fcntl" now raises ImportError
from ucauth.cli import COMMANDS, cli
for args in (["--help"], *([name, "--help"] for name in COMMANDS)):
    cli.main(args, standalone_mode=False)
"""


def test_the_cli_loads_without_posix_only_modules() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_POSIX], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "demo" in done.stdout and "agent" in done.stdout
