"""``ucauth card readers | read | virtual`` as a user runs them, through pcscd."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.card.cards import run_cli
from tests.support.pcsc import TEST_PORT, AttachCard, wait_for_presence
from ucauth.card.virtual.pcscd import PrivatePcscd
from ucauth.card.virtual.profile import load_named_profile

pytestmark = pytest.mark.pcsc


def test_readers(pcscd: PrivatePcscd, attach_card: AttachCard) -> None:
    attach_card("normal")
    result = run_cli("card", "readers")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "reader": pcscd.reader(0),
            "card_present": True,
            "atr": load_named_profile("normal").atr.hex(" ").upper(),
        },
        {"reader": pcscd.reader(1), "card_present": False, "atr": ""},
    ]


def test_read_with_photo_and_nhso(
    pcscd: PrivatePcscd, attach_card: AttachCard, tmp_path: Path
) -> None:
    profile = load_named_profile("normal")
    attach_card(profile)
    photo = tmp_path / "photo.jpg"
    result = run_cli("card", "read", "--reader", pcscd.reader(0), "--photo", str(photo), "--nhso")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["reader"] == pcscd.reader(0)
    assert data["cid"] == profile.cid
    assert data["name_th"]["first"] == "สมชาย"
    assert data["nhso"]["main_inscl"].startswith("(UCS)")
    assert data["photo"]["bytes"] == len(profile.photo_data)
    assert photo.read_bytes() == profile.photo_data


def test_read_text_only(attach_card: AttachCard) -> None:
    attach_card("unknown_birth")
    data = json.loads(run_cli("card", "read").stdout)
    assert data["birth_date"] == {"raw": "25200000", "iso": "1977", "lifetime": False}
    assert data["photo"] is None and data["nhso"] is None


def test_virtual_card_command_inserts_until_sigterm(pcscd: PrivatePcscd) -> None:
    port = str(pcscd.slot_port(1))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ucauth",
            "card",
            "virtual",
            "--profile",
            "lifetime",
            "--port",
            port,
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={"UCAUTH_LANG": "en", "PATH": "/usr/bin:/bin"},
    )
    try:
        wait_for_presence(pcscd.reader(1), present=True)
        result = run_cli("card", "read", "--reader", pcscd.reader(1))
        assert json.loads(result.stdout)["expiry_date"]["lifetime"] is True
        pcscd.restart()  # the card reconnects to the new pcscd by itself
        wait_for_presence(pcscd.reader(1), present=True)
        assert run_cli("card", "read", "--reader", pcscd.reader(1)).returncode == 0
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "inserted" in stderr and "PIN 1111" in stderr
    assert "reconnecting" in stderr
    assert stderr.strip().endswith("Virtual card removed")
    wait_for_presence(pcscd.reader(1), present=False)


def test_virtual_card_command_needs_vpcd(pcscd_stopped: PrivatePcscd) -> None:
    result = run_cli("card", "virtual", "--profile", "normal", "--port", str(TEST_PORT))
    assert result.returncode == 18
    assert f"No vpcd virtual reader at 127.0.0.1:{TEST_PORT}" in result.stderr


def test_virtual_card_command_bad_profile(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = run_cli("card", "virtual", "--profile", str(bad))
    assert result.returncode == 18
    assert "cannot be used" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
