from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

import pytest
from bench.card_read import BENCH_PORT

from tests.support.pcsc import TEST_PORT
from ucauth.card.errors import PcscdStartError
from ucauth.card.virtual.pcscd import PrivatePcscd, listening, machine_lock, vpcd_config
from ucauth.card.virtual.vpcd import PACKAGED_PORT
from ucauth.demo.card import DEMO_PORT


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


@pytest.mark.parametrize("port", [TEST_PORT, DEMO_PORT, BENCH_PORT], ids=["tests", "demo", "bench"])
def test_our_vpcd_ports_are_below_the_ephemeral_ports(port: int) -> None:
    """No outgoing connection can hold them (bind would fail with "Address already in use")."""
    lowest = 32768  # Linux's default; macOS and Windows start at 49152
    ranges = Path("/proc/sys/net/ipv4/ip_local_port_range")
    if ranges.exists():
        lowest = min(lowest, int(ranges.read_text().split()[0]))
    assert PrivatePcscd(port, Path("/nonexistent")).slot_port(1) < lowest


def test_the_vpcd_ports_of_tests_demo_bench_and_package_never_overlap() -> None:
    pairs = [(port, port + 1) for port in (TEST_PORT, DEMO_PORT, BENCH_PORT, PACKAGED_PORT)]
    assert len({slot for pair in pairs for slot in pair}) == 8


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
