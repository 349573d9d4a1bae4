"""The wheel and the sdist: built with hatchling from this checkout; the wheel, installed in a
fresh virtualenv, runs ``ucauth --version``, ``ucauth db upgrade`` and serves ``/healthz``
(so templates, catalogs, code tables, profiles and migrations are all in it).

The fresh virtualenv gets ucauth only from the wheel; its dependencies come from the test's
own environment through a ``.pth`` line (no network needed)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port, stop_process, wait_until_up
from ucauth import __version__

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
WHEEL_MUST_HOLD = (
    "ucauth/migrations/versions/0001_organisation.py",
    "ucauth/migrations/script.py.mako",
    "ucauth/i18n/catalog/demo.toml",
    "ucauth/codes/data/provinces.csv",
    "ucauth/codes/data/demo_hospitals.csv",
    "ucauth/rights/soap/UCWSTokenP1.wsdl",
    "ucauth/card/virtual/profiles/normal.json",
    "ucauth/card/virtual/profiles/normal.jpg",
    "ucauth/py.typed",
    "ucauth/agent/templates/page.html",
    "ucauth/agent/static/page.js",
    "ucauth/web/templates/base.html",
    "ucauth/web/static/style.css",
)
SDIST_MUST_HOLD = ("README.md", "docs/his-integration.md", "examples/soap/response.xml",
                   "deploy/nginx/ucauth.conf", "scripts/demo", "constraints.txt")  # fmt: skip


def run(*command: str | Path, env: dict[str, str] | None = None, cwd: Path = ROOT) -> str:
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


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "hatchling", "build", "-d", out)
    return out


def test_the_sdist_holds_the_docs_examples_and_scripts(dist: Path) -> None:
    (sdist,) = dist.glob("ucauth-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert set(SDIST_MUST_HOLD) <= names


def test_an_installed_wheel_migrates_and_serves(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("ucauth-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert set(WHEEL_MUST_HOLD) <= set(archive.namelist())
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel)
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    (Path(site.strip()) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UCAUTH_", "PYTHON"))}
    env |= {"UCAUTH_DATA_DIR": str(tmp_path / "data"), "UCAUTH_ACCESS_LOG": "false"}
    ucauth = venv / "bin" / "ucauth"
    where = run(python, "-c", "import ucauth; print(ucauth.__file__)", env=env, cwd=tmp_path)
    assert where.startswith(str(venv))
    assert __version__ in run(ucauth, "--version", env=env, cwd=tmp_path)
    run(ucauth, "db", "upgrade", env=env, cwd=tmp_path)
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [ucauth, "server", "--port", str(port)], env=env, cwd=tmp_path, stdout=log, stderr=log
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/healthz", server, tmp_path / "server.log")
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
        assert "UCWSTokenP1" in httpx.get(f"{url}/ucwstokenp1/UCWSTokenP1?wsdl").text
        assert httpx.get(f"{url}/search").status_code == 200  # templates and static files
        assert httpx.get(f"{url}/static/style.css").status_code == 200
    finally:
        stop_process(server)
        log.close()
