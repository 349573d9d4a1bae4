"""Agent login: PIN submitted to the agent's page API until the token comes back.

Run as root (a private pcscd needs /run/pcscd) with no other pcscd running::

    python -m bench.agent_login [--logins 50]

Everything real and local: ``ucauth server`` on a throwaway SQLite database, ``ucauth agent
run`` as its own process enrolled with it, the virtual card ``normal`` as its own process on
vpcd behind a private pcscd. Each login is ``POST /api/login`` as the agent's page sends it;
the time runs from the request until the answer with the token: card read (13 exchanges),
PIN verification on the card, challenge, signed login, session and files written.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from bench.card_read import BENCH_PORT, LOCK_TIMEOUT
from bench.support import HCODE, NOW, free_port, running_server, seed_staff, throwaway_database
from ucauth.accounts import service as accounts
from ucauth.agent import login as protocol_steps
from ucauth.agent.server import ServerClient
from ucauth.agent.store import save_enrolment
from ucauth.card import pcsc
from ucauth.card.virtual.pcscd import PrivatePcscd, machine_lock
from ucauth.card.virtual.profile import load_named_profile
from ucauth.db import make_engine
from ucauth.migrations import upgrade
from ucauth.randomness import SecureRandom

TARGET_MS = 150.0
PROFILE = "normal"
READY_TIMEOUT = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=50, help="logins to time (>= 30)")
    args = parser.parse_args()
    if args.logins < 30:
        parser.error("--logins must be at least 30")
    with (
        machine_lock(LOCK_TIMEOUT),
        tempfile.TemporaryDirectory(prefix="ucauth-bench-") as directory,
        throwaway_database("sqlite") as url,
    ):
        workdir = Path(directory)
        with PrivatePcscd(BENCH_PORT, workdir / "pcscd") as pcscd:
            card = _virtual_card(pcscd.slot_port(0))
            try:
                pcsc.wait_for_presence(pcscd.reader(0))
                times = _measure(url, workdir, args.logins)
            finally:
                card.terminate()
                card.wait(10)
    _report(times)


def _virtual_card(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "ucauth", "card", "virtual", "--profile", PROFILE]
    return subprocess.Popen([*command, "--port", str(port)], stderr=subprocess.DEVNULL)


def _measure(url: str, workdir: Path, logins: int) -> list[float]:
    upgrade(url)
    seed_staff(url, users=0, agents=0)
    profile = load_named_profile(PROFILE)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        accounts.create_user(
            session,
            cid=profile.cid,
            first_name="Bench",
            last_name="Clerk",
            unit_hcode=HCODE,
            actor="bench",
            now=NOW,
        )
        code = accounts.issue_enrolment_code(
            session, unit_hcode=HCODE, actor="bench", now=NOW, random=SecureRandom()
        )
    engine.dispose()
    with running_server(url, workdir) as server:
        data_dir = workdir / "agent"
        with ServerClient(server.url) as client:
            save_enrolment(data_dir, protocol_steps.enroll(client, code.code, "bench"))
        with _running_agent(data_dir, workdir) as agent:
            _wait_ready(agent)
            return [_timed_login(agent, profile.pin) for _ in range(logins)]


@contextmanager
def _running_agent(data_dir: Path, workdir: Path) -> Iterator[httpx.Client]:
    """``ucauth agent run`` on a free port; a client of its API."""
    port = free_port()
    env = {**os.environ, "UCAUTH_AGENT_DATA_DIR": str(data_dir), "UCAUTH_AGENT_PORT": str(port)}
    with (workdir / "agent.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ucauth", "agent", "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        process.terminate()
        process.wait(10)


def _wait_ready(agent: httpx.Client) -> None:
    """Until the page would ask for the PIN (all four steps before it are ok)."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            steps = agent.get("/api/status").json()["steps"]
            if steps[4]["code"] == "pin_needed":
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit(f"the agent did not get ready: {agent.get('/api/status').text}")


def _timed_login(agent: httpx.Client, pin: str) -> float:
    origin = str(agent.base_url).rstrip("/")
    start = time.perf_counter()
    response = agent.post("/api/login", json={"pin": pin}, headers={"Origin": origin})
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        sys.exit(f"login failed: {response.status_code} {response.text}")
    return elapsed


def _report(times: list[float]) -> None:
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    print(f"Agent login, PIN submitted -> token, {len(times)} logins through pcscd + vpcd")
    print()
    print("| logins | median ms | p90 ms | min ms | max ms |")
    print("|---:|---:|---:|---:|---:|")
    print(f"| {len(times)} | {median:.1f} | {p90:.1f} | {min(times):.1f} | {max(times):.1f} |")
    print()
    verdict = "met" if median <= TARGET_MS else "MISSED"
    print(f"target: median <= {TARGET_MS:.0f} ms: {median:.1f} ms -> {verdict}")


if __name__ == "__main__":
    main()
