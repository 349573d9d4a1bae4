"""Packaging fixtures: the wheel and sdist built with hatchling from this checkout, and the
checks that an installed ``ucauth`` command migrates a database and serves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port, stop_process, wait_until_up
from ucauth import __version__

ROOT = Path(__file__).resolve().parents[2]


def run(*command: str | Path, env: dict[str, str] | None = None, cwd: Path = ROOT) -> str:
    """Runs a command, failing the test with its output unless it exits 0; returns its stdout."""
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
        check=False,
    )
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done.stdout


def outside_env(tmp_path: Path) -> dict[str, str]:
    """The environment without this checkout's ucauth or virtualenv, with data in ``tmp_path``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UCAUTH_", "PYTHON", "PIPX_")) and k != "VIRTUAL_ENV"
    }
    return env | {"UCAUTH_DATA_DIR": str(tmp_path / "data"), "UCAUTH_ACCESS_LOG": "false"}


def check_installed_ucauth(ucauth: Path, env: dict[str, str], tmp_path: Path) -> None:
    """``ucauth --version`` and ``ucauth db upgrade`` work; ``ucauth server`` answers /healthz,
    the WSDL, a web page and a static file (so templates and data files were installed)."""
    assert __version__ in run(ucauth, "--version", env=env, cwd=tmp_path)
    run(ucauth, "db", "upgrade", env=env, cwd=tmp_path)
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [ucauth, "server", "--port", str(port)], env=env, cwd=tmp_path, stdout=log, stderr=log
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(f"{url}/healthz", server, log_path)
            assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
            assert "UCWSTokenP1" in httpx.get(f"{url}/ucwstokenp1/UCWSTokenP1?wsdl").text
            assert httpx.get(f"{url}/search").status_code == 200
            assert httpx.get(f"{url}/static/style.css").status_code == 200
        finally:
            stop_process(server)


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the sdist and the wheel of this checkout."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "hatchling", "build", "-d", out)
    return out


@pytest.fixture(scope="session")
def wheel(dist: Path) -> Path:
    """The wheel of this checkout."""
    (built,) = dist.glob("ucauth-*.whl")
    return built
