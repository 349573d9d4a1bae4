from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

import pytest

from ucauth.card.errors import PcscdStartError
from ucauth.card.virtual.pcscd import PrivatePcscd, listening, machine_lock, vpcd_config


def test_vpcd_config_uses_our_port_for_both_slots() -> None:
    config = vpcd_config(0x9C40)
    assert "CHANNELID    0x9c40" in config
    assert "DEVICENAME   /dev/null:0x9c40" in config
    assert 'FRIENDLYNAME "ucauth Virtual PCD"' in config
    runner = PrivatePcscd(0x9C40, Path("/nonexistent"))
    assert (runner.slot_port(0), runner.slot_port(1)) == (40000, 40001)
    assert runner.reader(1) == "ucauth Virtual PCD 00 01"
    with pytest.raises(ValueError, match="slots"):
        runner.slot_port(2)


def test_listening_sees_a_listening_socket() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]
    assert not listening(port)
    server.listen()
    try:
        assert listening(port)
    finally:
        server.close()


def test_machine_lock_waits_then_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    with path.open("w") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        other.write("1")
        other.flush()
        with pytest.raises(PcscdStartError, match="held by process 1"), machine_lock(0.3, path):
            pass
    with machine_lock(0.3, path):
        assert path.read_text() == str(os.getpid())
    assert path.read_text() == ""


def test_children_of_the_holder_share_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    with path.open("w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        holder.write(str(os.getppid()))  # our parent holds it: we may use it
        holder.flush()
        with machine_lock(0.3, path):
            pass
