"""Verify and login throughput of one ``ucauth server`` process, on SQLite and PostgreSQL.

    python -m bench.server_auth [--duration 10] [--connections 16] [--backend sqlite|postgres]

For each database: seed a unit, users and enrolled agents; start ``ucauth server`` (one uvicorn
process) as a subprocess; log every user in once; then drive it with wrk (LuaJIT scripts for the
POST bodies), one phase after the other, same connections and duration:

1. ``GET /healthz``, the baseline;
2. ``POST /api/v1/auth/verify`` with valid credentials, round-robin over the users;
3. ``POST /api/v1/auth/challenge``, round-robin over (agent, user) pairs;
4. ``POST /api/v1/auth/login`` with signed bodies. wrk cannot sign Ed25519, so the bodies are
   made before this phase: nonces are requested from the server over HTTP and signed here with
   the agents' keys (``ucauth.tokens.protocol``), exactly as an agent would. Each is used once.

A full login is a challenge plus a login, one after the other on the same process, so its rate
is ``1 / (1/challenge rps + 1/login rps)``. Targets, as ratios in the same run: verify ≥ 50 % and
full login ≥ 20 % of ``/healthz`` requests per second. PostgreSQL comes from
``UCAUTH_BENCH_DATABASE_URL`` (else ``UCAUTH_TEST_DATABASE_URL``, else the local server); a
throwaway database is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from psycopg import sql
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from ucauth.accounts import service as accounts
from ucauth.cid import complete_cid
from ucauth.db import make_engine
from ucauth.migrations import upgrade
from ucauth.randomness import SecureRandom
from ucauth.tokens import protocol

VERIFY_TARGET = 0.50
LOGIN_TARGET = 0.20
USERS = 200
AGENTS = 8
TOKEN_KEY = "bench-token-key-0123456789-abcdefghijklmnop"  # noqa: S105 - a throwaway key
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
HCODE = "10670"
JSON = {"Content-Type": "application/json"}
NOW = datetime.now(UTC)

# Shared by every wrk script: report the figures as one JSON line.
LUA_DONE = r"""
done = function(summary, latency, requests)
  io.write(string.format(
    '\nRESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""
# POST each line of a file in turn: round-robin, or each once (then the thread stops).
LUA_POST_LINES = r"""
local bodies, i = {}, 0
init = function(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  once = args[2] == "once"
end
request = function()
  i = i + 1
  if i > #bodies then
    if once then wrk.thread:stop() end
    i = 1
  end
  return wrk.format("POST", args_path, {["Content-Type"] = "application/json"}, bodies[i])
end
"""


@dataclass(frozen=True)
class Phase:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int


@dataclass(frozen=True)
class Agent:
    agent_id: int
    key: Ed25519PrivateKey


@dataclass(frozen=True)
class Server:
    url: str
    origin: str
    process: subprocess.Popen[bytes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per phase")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], action="append")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    results: dict[str, dict[str, Phase]] = {}
    for backend in options.backend or ["sqlite", "postgres"]:
        with _database(backend) as url, tempfile.TemporaryDirectory() as workdir:
            print(f"== {backend}", flush=True)
            results[backend] = _measure(url, Path(workdir), options)
    _report(results, options)


def _measure(url: str, workdir: Path, options: argparse.Namespace) -> dict[str, Phase]:
    upgrade(url)
    cids, agents = _seed(url)
    with _server(url, workdir) as server, httpx.Client(base_url=server.url) as client:
        origin = server.origin
        pairs = [(agents[i % len(agents)], cid) for i, cid in enumerate(cids)]
        tokens = _login_all(client, origin, pairs)
        run = _WrkRunner(server.url, workdir, options)
        phases = {"healthz": run.get("healthz", "/healthz")}
        verify_bodies = [json.dumps({"username": c, "password": t}) for c, t in tokens.items()]
        phases["verify"] = run.post("verify", "/api/v1/auth/verify", verify_bodies)
        challenge_bodies = [json.dumps({"agent_id": a.agent_id, "cid": c}) for a, c in pairs]
        phases["challenge"] = run.post("challenge", "/api/v1/auth/challenge", challenge_bodies)
        pool = _signed_logins(client, origin, pairs, phases["challenge"].requests)
        phases["login"] = run.post("login", "/api/v1/auth/login", pool, once=True)
    return phases


def _seed(url: str) -> tuple[list[str], list[Agent]]:
    engine = make_engine(url)
    actor, random = "bench", SecureRandom()
    with Session(engine, expire_on_commit=False) as session:
        accounts.create_unit(
            session, hcode=HCODE, name="Bench hospital", province_code="1000", actor=actor, now=NOW
        )
        cids = [complete_cid(f"3{n:011d}") for n in range(1, USERS + 1)]
        for cid in cids:
            accounts.create_user(
                session,
                cid=cid,
                first_name="Bench",
                last_name="User",
                unit_hcode=HCODE,
                actor=actor,
                now=NOW,
            )
        agents = []
        for n in range(AGENTS):
            key = protocol.generate_private_key()
            code = accounts.issue_enrolment_code(
                session, unit_hcode=HCODE, actor=actor, now=NOW, random=random
            )
            agent = accounts.enroll_agent(
                session,
                code=code.code,
                name=f"bench-{n}",
                public_key=protocol.public_key_bytes(key),
                now=NOW,
                client_address="127.0.0.1",
            )
            agents.append(Agent(agent.id, key))
    engine.dispose()
    return cids, agents


def _login_body(client: httpx.Client, origin: str, agent: Agent, cid: str) -> str:
    response = client.post("/api/v1/auth/challenge", json={"agent_id": agent.agent_id, "cid": cid})
    response.raise_for_status()
    payload = protocol.LoginPayload(
        origin=origin,
        nonce=protocol.decode_b64(response.json()["nonce"], protocol.NONCE_BYTES, "nonce"),
        cid=cid,
        card_digest=bytes(32),
        card_expiry=date(2035, 1, 1),
        signed_at=datetime.now(UTC),
    )
    return json.dumps(protocol.sign_login(agent.key, agent.agent_id, payload).to_json())


def _login_all(client: httpx.Client, origin: str, pairs: list[tuple[Agent, str]]) -> dict[str, str]:
    tokens = {}
    for agent, cid in pairs:
        body = _login_body(client, origin, agent, cid)
        response = client.post("/api/v1/auth/login", content=body, headers=JSON)
        response.raise_for_status()
        tokens[cid] = response.json()["token"]
    return tokens


def _signed_logins(
    client: httpx.Client, origin: str, pairs: list[tuple[Agent, str]], count: int
) -> list[str]:
    """``count`` login bodies on fresh nonces, made with a few concurrent clients (untimed)."""
    started = time.monotonic()
    jobs = [pairs[i % len(pairs)] for i in range(count)]
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda job: _login_body(client, origin, *job), jobs))
    print(f"   {count} signed login bodies in {time.monotonic() - started:.1f} s", flush=True)
    return bodies


class _WrkRunner:
    def __init__(self, url: str, workdir: Path, options: argparse.Namespace) -> None:
        self.url, self.workdir, self.options = url, workdir, options

    def get(self, name: str, path: str) -> Phase:
        script = self.workdir / f"{name}.lua"
        script.write_text(LUA_DONE)
        return self._run(name, path, script, [])

    def post(self, name: str, path: str, bodies: list[str], *, once: bool = False) -> Phase:
        lines = self.workdir / f"{name}.bodies"
        lines.write_text("\n".join(bodies) + "\n")
        script = self.workdir / f"{name}.lua"
        script.write_text(LUA_POST_LINES.replace("args_path", json.dumps(path)) + LUA_DONE)
        return self._run(name, path, script, ["--", str(lines), "once" if once else "loop"])

    def _run(self, name: str, path: str, script: Path, script_args: list[str]) -> Phase:
        options = self.options
        command = [
            "wrk",
            f"-t{options.threads}",
            f"-c{options.connections}",
            f"-d{options.duration}s",
            "-s",
            str(script),
            self.url + path,
            *script_args,
        ]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        line = next(line for line in output.splitlines() if line.startswith("RESULT "))
        figures = json.loads(line.removeprefix("RESULT "))
        if figures["status_errors"] or figures["socket_errors"]:
            sys.exit(f"{name}: {figures['status_errors']} HTTP errors, {figures}")
        phase = Phase(
            name,
            figures["requests"] / (figures["duration_us"] / 1e6),
            figures["p50_us"] / 1000,
            figures["p99_us"] / 1000,
            figures["requests"],
        )
        print(
            f"   {name:9} {phase.rps:8.0f} rps  p50 {phase.p50_ms:6.2f} ms  "
            f"p99 {phase.p99_ms:6.2f} ms",
            flush=True,
        )
        return phase


def _report(results: dict[str, dict[str, Phase]], options: argparse.Namespace) -> None:
    print(
        f"\nwrk -t{options.threads} -c{options.connections} -d{options.duration}s, "
        f"one server process, {os.cpu_count()} CPUs\n"
    )
    print(
        "| database | /healthz rps | verify rps (p50 / p99 ms) | challenge rps | login rps "
        "(p50 / p99 ms) | full login rps | verify / healthz | full login / healthz |"
    )
    print("|---|---|---|---|---|---|---|---|")
    failed = False
    for backend, phases in results.items():
        health, verify = phases["healthz"], phases["verify"]
        challenge, login = phases["challenge"], phases["login"]
        full = 1 / (1 / challenge.rps + 1 / login.rps)
        verify_ratio, login_ratio = verify.rps / health.rps, full / health.rps
        failed |= verify_ratio < VERIFY_TARGET or login_ratio < LOGIN_TARGET
        print(
            f"| {backend} | {health.rps:.0f} | {verify.rps:.0f} ({verify.p50_ms:.1f} / "
            f"{verify.p99_ms:.1f}) | {challenge.rps:.0f} | {login.rps:.0f} ({login.p50_ms:.1f} / "
            f"{login.p99_ms:.1f}) | {full:.0f} | {verify_ratio:.0%} "
            f"{'✓' if verify_ratio >= VERIFY_TARGET else '✗'} (≥ {VERIFY_TARGET:.0%}) | "
            f"{login_ratio:.0%} {'✓' if login_ratio >= LOGIN_TARGET else '✗'} "
            f"(≥ {LOGIN_TARGET:.0%}) |"
        )
    if failed:
        print("\nat least one target not met")


@contextmanager
def _database(backend: str) -> Iterator[str]:
    """A fresh, empty database URL for ``backend``."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.db"
        return
    server = os.environ.get(
        "UCAUTH_BENCH_DATABASE_URL",
        os.environ.get("UCAUTH_TEST_DATABASE_URL", DEFAULT_POSTGRES_URL),
    )
    name = f"ucauth_bench_{uuid.uuid4().hex[:12]}"
    dsn = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(drop.format(sql.Identifier(name)))


@contextmanager
def _server(url: str, workdir: Path) -> Iterator[Server]:
    """``ucauth server`` on a free port, one process, access log off; stopped by its PID."""
    port = _free_port()
    env = {
        **os.environ,
        "UCAUTH_DATABASE_URL": url,
        "UCAUTH_DATA_DIR": str(workdir / "data"),
        "UCAUTH_TOKEN_KEY": TOKEN_KEY,
        "UCAUTH_ORIGIN": f"http://127.0.0.1:{port}",
        "UCAUTH_PORT": str(port),
        "UCAUTH_ACCESS_LOG": "false",
    }
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "ucauth", "server"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    server = Server(f"http://127.0.0.1:{port}", env["UCAUTH_ORIGIN"], process)
    try:
        _wait_until_up(server, workdir / "server.log")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(server: Server, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            sys.exit(f"ucauth server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    sys.exit(f"ucauth server did not come up:\n{log.read_text()}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


if __name__ == "__main__":
    main()
