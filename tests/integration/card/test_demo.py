"""``ucauth demo`` (interim): the bundled card read through PC/SC, or in-process as a fallback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ucauth.card.virtual.pcscd import PrivatePcscd
from ucauth.card.virtual.profile import load_named_profile

pytestmark = pytest.mark.pcsc


def run_demo(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ucauth", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "UCAUTH_LANG": "en", **env},
        check=False,
    )


def check_output(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    profile = load_named_profile("normal")
    data = json.loads(result.stdout)
    assert data["cid"] == profile.cid
    assert data["photo"]["bytes"] == len(profile.photo_data)
    assert f"photo {len(profile.photo_data)} bytes" in result.stderr
    assert "PIN is 1234" in result.stderr


def test_demo_starts_a_private_pcscd_when_none_runs(pcscd_stopped: PrivatePcscd) -> None:
    result = run_demo()
    check_output(result)
    assert "Started a private pcscd" in result.stderr
    assert "ucauth Virtual PCD 00 00" in result.stderr
    assert "in-process" not in result.stderr


def test_demo_reads_in_process_beside_a_pcscd_without_the_packaged_vpcd(
    pcscd: PrivatePcscd,
) -> None:
    result = run_demo()
    check_output(result)
    assert "another pcscd is running without a vpcd virtual reader" in result.stderr


def test_demo_without_pcscd_installed_reads_in_process() -> None:
    result = run_demo(PATH="/nonexistent")
    check_output(result)
    assert "pcscd or vsmartcard-vpcd is not installed" in result.stderr
    assert "in-process" in result.stderr
