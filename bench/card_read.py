"""Thai ID card read through pyscard -> pcscd -> vpcd -> virtual card: exchanges and time.

Run as root (a private pcscd needs /run/pcscd) with no other pcscd running::

    python -m bench.card_read [--reads 30]

The virtual card runs as a separate process (``ucauth card virtual``), as a real card would be
outside the reading process. Each read opens its own PC/SC connection. The baseline is the
common open-source readers' way, measured in the same run: SELECT + one READ BINARY / GET
RESPONSE pair per field (9 fields) + 20 photo chunks = 59 exchanges.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ucauth.card import pcsc
from ucauth.card.apdu import ApduProtocol, Cla, Ins
from ucauth.card.decode import Moi
from ucauth.card.thai_id import AID, ThaiIdSession
from ucauth.card.transport import CardConnection
from ucauth.card.virtual.pcscd import PrivatePcscd, machine_lock

BENCH_PORT = 31416  # and 31417; below the ephemeral ports, as ucauth.demo.card.DEMO_PORT
LOCK_TIMEOUT = 600.0
TEXT_TARGET = 8
BASELINE_FIELDS = (
    Moi.CID,
    Moi.NAME_TH,
    Moi.NAME_EN,
    Moi.BIRTH_DATE,
    Moi.GENDER,
    Moi.ISSUER,
    Moi.ISSUE_DATE,
    Moi.EXPIRY_DATE,
    Moi.ADDRESS_SHORT,
)
BASELINE_PHOTO_CHUNKS = 20
CHUNK = 0xFF


def baseline_read(connection: CardConnection) -> int:
    """The common readers' sequence: one READ BINARY per field, 20 photo chunks."""
    protocol = ApduProtocol(connection)
    protocol.select(AID.MOI.value)
    offsets = [(f.offset, f.length) for f in BASELINE_FIELDS]
    offsets += [(Moi.PHOTO.offset + i * CHUNK, CHUNK) for i in range(BASELINE_PHOTO_CHUNKS)]
    for offset, length in offsets:
        protocol.send_apdu(
            Cla.PROPRIETARY, Ins.READ_BINARY, offset >> 8, offset & 0xFF, bytes((0, length))
        )
    return protocol.exchanges


def ours(**options: bool) -> Callable[[CardConnection], int]:
    def read(connection: CardConnection) -> int:
        session = ThaiIdSession(connection)
        session.read(**options)
        return session.protocol.exchanges

    return read


SCENARIOS: list[tuple[str, Callable[[CardConnection], int]]] = [
    ("text fields", ours(laser_id=False, chip_serial=False)),
    ("text + laser ID + chip serial", ours()),
    ("text + photo", ours(photo=True, laser_id=False, chip_serial=False)),
    ("everything (photo, NHSO, laser ID, chip serial)", ours(photo=True, nhso=True)),
    ("baseline: per-field reads + 20 photo chunks", baseline_read),
]


def measure(reader: str, read: Callable[[CardConnection], int], reads: int) -> tuple[int, float]:
    """Exchanges per read and the median milliseconds of ``reads`` reads (connect included)."""
    times, exchanges = [], set()
    for _ in range(reads):
        start = time.perf_counter()
        with pcsc.connect(reader) as connection:
            exchanges.add(read(connection))
        times.append(time.perf_counter() - start)
    if len(exchanges) != 1:
        raise SystemExit(f"exchange count varied between reads: {sorted(exchanges)}")
    return exchanges.pop(), statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=30, help="reads per scenario (>= 30)")
    args = parser.parse_args()
    if args.reads < 30:
        parser.error("--reads must be at least 30")
    with (
        machine_lock(LOCK_TIMEOUT),
        tempfile.TemporaryDirectory(prefix="ucauth-bench-") as workdir,
        PrivatePcscd(BENCH_PORT, Path(workdir)) as pcscd,
    ):
        port = str(pcscd.slot_port(0))
        card = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ucauth",
                "card",
                "virtual",
                "--profile",
                "normal",
                "--port",
                port,
            ],
            stderr=subprocess.DEVNULL,
        )
        try:
            pcsc.wait_for_presence(pcscd.reader(0))
            results = [
                (name, *measure(pcscd.reader(0), read, args.reads)) for name, read in SCENARIOS
            ]
        finally:
            card.terminate()
            card.wait(10)
    base_exchanges, base_ms = results[-1][1], results[-1][2]
    print(f"Thai ID card read via pcscd + vpcd, median of {args.reads} reads each")
    print()
    print("| read | exchanges | median ms | vs baseline (time) |")
    print("|---|---:|---:|---:|")
    for name, exchanges, ms in results:
        print(f"| {name} | {exchanges} | {ms:.2f} | {ms / base_ms:.2f} |")
    print()
    checks = [
        ("text fields", results[0][1], TEXT_TARGET + 1),
        ("text + photo", results[2][1], base_exchanges),
        ("everything", results[3][1], base_exchanges),
    ]
    for name, exchanges, below in checks:
        verdict = "met" if exchanges < below else "MISSED"
        print(f"target: {name} in fewer than {below} exchanges: {exchanges} -> {verdict}")


if __name__ == "__main__":
    main()
