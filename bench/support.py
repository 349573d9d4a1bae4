"""Shared by the benchmarks: throwaway databases, ``ucauth server`` as a subprocess, staff logged
in through the protocol, wrk phases.

PostgreSQL comes from an explicit URL, else ``UCAUTH_BENCH_DATABASE_URL``, else
``UCAUTH_TEST_DATABASE_URL``, else the machine's server at 127.0.0.1:5432.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
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
from ucauth.randomness import SecureRandom
from ucauth.tokens import protocol

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TOKEN_KEY = "bench-token-key-0123456789-abcdefghijklmnop"  # noqa: S105 - a throwaway key
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
  return wrk.format("POST", args_path, {["Content-Type"] = args_type}, bodies[i])
end
"""
# GET each line of a file in turn, round-robin: "path<TAB>Authorization header".
LUA_GET_LINES = r"""
local paths, auths, i = {}, {}, 0
init = function(args)
  for line in io.lines(args[1]) do
    local path, auth = line:match("([^\t]*)\t(.*)")
    paths[#paths + 1], auths[#auths + 1] = path, auth
  end
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Authorization"] = auths[i]})
end
"""


def postgres_server_url(explicit: str | None = None) -> str:
    return (
        explicit
        or os.environ.get("UCAUTH_BENCH_DATABASE_URL")
        or os.environ.get("UCAUTH_TEST_DATABASE_URL")
        or DEFAULT_POSTGRES
    )


@contextmanager
def throwaway_database(backend: str, postgres_url: str | None = None) -> Iterator[str]:
    """The URL of a new, empty database (``sqlite`` or ``postgres``), removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ucauth-bench-") as directory:
            yield f"sqlite:///{directory}/bench.db"
        return
    server = postgres_server_url(postgres_url)
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


@dataclass(frozen=True)
class Server:
    url: str
    origin: str
    process: subprocess.Popen[bytes]


@contextmanager
def running_server(url: str, workdir: Path) -> Iterator[Server]:
    """``ucauth server`` on a free port, one process, access log off; stopped by its PID."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "UCAUTH_DATABASE_URL": url,
        "UCAUTH_DATA_DIR": str(workdir / "data"),
        "UCAUTH_TOKEN_KEY": TOKEN_KEY,
        "UCAUTH_ORIGIN": origin,
        "UCAUTH_PORT": str(port),
        "UCAUTH_ACCESS_LOG": "false",
    }
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "ucauth", "server"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    server = Server(origin, origin, process)
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Agent:
    agent_id: int
    key: Ed25519PrivateKey


def seed_staff(url: str, users: int, agents: int) -> tuple[list[str], list[Agent]]:
    """A unit, ``users`` active staff accounts and ``agents`` enrolled workstations."""
    engine = make_engine(url)
    actor, random = "bench", SecureRandom()
    with Session(engine, expire_on_commit=False) as session:
        accounts.create_unit(
            session, hcode=HCODE, name="Bench hospital", province_code="1000", actor=actor, now=NOW
        )
        cids = [complete_cid(f"3{n:011d}") for n in range(1, users + 1)]
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
        enrolled = []
        for n in range(agents):
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
            enrolled.append(Agent(agent.id, key))
    engine.dispose()
    return cids, enrolled


def login_body(client: httpx.Client, origin: str, agent: Agent, cid: str) -> str:
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


def log_in_all(client: httpx.Client, origin: str, pairs: list[tuple[Agent, str]]) -> dict[str, str]:
    """Log each (agent, user) pair in through the protocol; the tokens by CID."""
    tokens = {}
    for agent, cid in pairs:
        body = login_body(client, origin, agent, cid)
        response = client.post("/api/v1/auth/login", content=body, headers=JSON)
        response.raise_for_status()
        tokens[cid] = response.json()["token"]
    return tokens


@dataclass(frozen=True)
class Phase:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    cpu_us: float  # the server process's CPU time per request (user + system)
    busy: float  # the server process's CPU time per second of the phase (1.0: one core busy)
    machine: float  # every process's CPU time per second of the phase (wrk and PostgreSQL too)


class Wrk:
    """Runs wrk phases against one server: ``threads`` threads, ``connections`` connections,
    ``duration`` seconds each; a phase with an HTTP or socket error stops the benchmark. The
    server process's CPU time per request is measured too: unlike requests per second, it
    hardly moves when other programs share the machine."""

    def __init__(
        self,
        server: Server,
        workdir: Path,
        *,
        threads: int,
        connections: int,
        duration: int,
    ) -> None:
        self.url, self.pid, self.workdir = server.url, server.process.pid, workdir
        self.threads, self.connections, self.duration = threads, connections, duration

    def get(self, name: str, path: str) -> Phase:
        """GET one path."""
        return self._run(name, path, LUA_DONE, [])

    def get_lines(self, name: str, lines: list[tuple[str, str]]) -> Phase:
        """GET ``(path, Authorization header)`` pairs in turn."""
        listing = self.workdir / f"{name}.lines"
        listing.write_text("".join(f"{path}\t{auth}\n" for path, auth in lines))
        return self._run(name, lines[0][0], LUA_GET_LINES + LUA_DONE, ["--", str(listing)])

    def post(
        self,
        name: str,
        path: str,
        bodies: list[str],
        *,
        content_type: str = "application/json",
        once: bool = False,
    ) -> Phase:
        """POST ``bodies`` (one line each) in turn, round-robin or each once."""
        listing = self.workdir / f"{name}.bodies"
        listing.write_text("\n".join(bodies) + "\n")
        script = LUA_POST_LINES.replace("args_path", json.dumps(path))
        script = script.replace("args_type", json.dumps(content_type))
        arguments = ["--", str(listing), "once" if once else "loop"]
        return self._run(name, path, script + LUA_DONE, arguments)

    def _run(self, name: str, path: str, lua: str, script_args: list[str]) -> Phase:
        script = self.workdir / f"{name}.lua"
        script.write_text(lua)
        command = [
            "wrk",
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{self.duration}s",
            "-s",
            str(script),
            self.url + path,
            *script_args,
        ]
        cpu_before, machine_before = _cpu_seconds(self.pid), _machine_cpu_seconds()
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        cpu = _cpu_seconds(self.pid) - cpu_before
        machine = _machine_cpu_seconds() - machine_before
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
            cpu / figures["requests"] * 1e6,
            cpu / (figures["duration_us"] / 1e6),
            machine / (figures["duration_us"] / 1e6),
        )
        print(
            f"   {name:12} {phase.rps:8.0f} rps  p50 {phase.p50_ms:6.2f} ms  "
            f"p99 {phase.p99_ms:6.2f} ms  server CPU {phase.cpu_us:5.0f} µs/request, "
            f"{phase.busy:4.2f} core (machine {phase.machine:4.2f} of {os.cpu_count()})",
            flush=True,
        )
        return phase


def _machine_cpu_seconds() -> float:
    """CPU time of every process so far, all cores (Linux ``/proc/stat``: user, nice, system
    and interrupts)."""
    user, nice, system, _idle, _iowait, irq, softirq = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]
    )
    busy = user + nice + system + irq + softirq
    return busy / os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
