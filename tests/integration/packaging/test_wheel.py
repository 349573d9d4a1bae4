"""The wheel and the sdist: built with hatchling from this checkout; the wheel, installed in a
fresh virtualenv, runs ``ucauth --version``, ``ucauth db upgrade`` and serves ``/healthz``
(so templates, catalogs, code tables, profiles and migrations are all in it).

The fresh virtualenv gets ucauth only from the wheel; its dependencies come from the test's
own environment through a ``.pth`` line (no network needed); test_pipx.py installs them from
the package index instead."""

from __future__ import annotations

import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.support.packaging import check_installed_ucauth, outside_env, run

pytestmark = pytest.mark.slow

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


def test_the_sdist_holds_the_docs_examples_and_scripts(dist: Path) -> None:
    (sdist,) = dist.glob("ucauth-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert set(SDIST_MUST_HOLD) <= names


def test_an_installed_wheel_migrates_and_serves(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        assert set(WHEEL_MUST_HOLD) <= set(archive.namelist())
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel)
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    (Path(site.strip()) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = outside_env(tmp_path)
    where = run(python, "-c", "import ucauth; print(ucauth.__file__)", env=env, cwd=tmp_path)
    assert where.startswith(str(venv))
    check_installed_ucauth(venv / "bin" / "ucauth", env, tmp_path)
