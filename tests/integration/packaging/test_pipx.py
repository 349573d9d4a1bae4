"""``pipx install`` of the wheel, as operators install ucauth: pipx makes its own virtualenv and
pip resolves every dependency from the package index (with the project's constraints), so a
dependency the wheel does not declare makes ``ucauth`` fail here. Needs Debian's ``pipx``
(scripts/test installs it) and the package index."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.support.packaging import ROOT, check_installed_ucauth, outside_env, run

pytestmark = pytest.mark.slow


def test_pipx_installs_the_wheel_with_its_declared_dependencies(
    wheel: Path, tmp_path: Path
) -> None:
    pipx = shutil.which("pipx")
    assert pipx, "pipx is missing: apt-get install pipx (scripts/test does)"
    env = outside_env(tmp_path)
    env |= {"PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin")}
    constraints = f"-c {ROOT / 'constraints.txt'}"
    run(pipx, "install", "--python", sys.executable, f"--pip-args={constraints}", wheel, env=env)
    python = tmp_path / "pipx" / "venvs" / "ucauth" / "bin" / "python"
    paths = run(
        python, "-c", "import sys, ucauth; print(ucauth.__file__, *sys.path)", env=env, cwd=tmp_path
    )
    assert paths.startswith(str(tmp_path / "pipx")), paths
    assert str(Path(sys.prefix)) not in paths  # nothing borrowed from the test's environment
    check_installed_ucauth(tmp_path / "bin" / "ucauth", env, tmp_path)
