"""Verify and login throughput of one ``ucauth server`` process, on SQLite and PostgreSQL.

    python -m bench.server_auth [--duration 5] [--rounds 3] [--connections 64]
                                [--backend sqlite|postgres]

For each database: seed a unit, users and enrolled agents; start ``ucauth server`` (one uvicorn
process) as a subprocess; then drive it with wrk (LuaJIT scripts for the
POST bodies), one phase after the other, same connections and duration, in rounds:

1. ``GET /healthz``, the baseline;
2. ``POST /api/v1/auth/verify`` with valid credentials, round-robin over the users (each logged
   in through the protocol before the round);
3. ``POST /api/v1/auth/challenge``, round-robin over (agent, user) pairs;
4. ``POST /api/v1/auth/login`` with signed bodies. wrk cannot sign Ed25519, so the bodies are
   made before this phase: nonces are requested from the server over HTTP and signed here with
   the agents' keys (``ucauth.tokens.protocol``), exactly as an agent would. Each is used once.

Throughput is measured at saturation: 64 connections keep the server process busy in every
phase (each phase prints the process's CPU time per second: about one core, as the GIL allows).
With 16, the login phase waits on its database round trips: concurrent logins share a batch
(``ucauth.server.login_batches``), so a login's rate is bounded by the connections over a
batch's latency, not by the process, and on PostgreSQL the process idles about a fifth of the
time.

A full login is a challenge plus a login, one after the other on the same process, so its rate
is ``1 / (1/challenge rps + 1/login rps)``. Targets, as ratios in the same run: verify ≥ 50 % and
full login ≥ 20 % of ``/healthz`` requests per second. Each ratio is taken within a round and the
report gives the median over the rounds (on a shared machine the speed drifts by tens of per
cent within a minute; phases close in time, and several of them, keep that out of the ratios).
PostgreSQL comes from ``UCAUTH_BENCH_DATABASE_URL`` (else ``UCAUTH_TEST_DATABASE_URL``, else
the local server); a throwaway database is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import httpx

from bench.support import (
    Agent,
    Phase,
    Wrk,
    log_in_all,
    login_body,
    running_server,
    seed_staff,
    throwaway_database,
)
from ucauth.migrations import upgrade

VERIFY_TARGET = 0.50
LOGIN_TARGET = 0.20
USERS = 200
AGENTS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per phase")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the four phases")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], action="append")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    results: dict[str, list[dict[str, Phase]]] = {}
    for backend in options.backend or ["sqlite", "postgres"]:
        with throwaway_database(backend) as url, tempfile.TemporaryDirectory() as workdir:
            print(f"== {backend}", flush=True)
            results[backend] = _measure(url, Path(workdir), options)
    _report(results, options)


def _measure(url: str, workdir: Path, options: argparse.Namespace) -> list[dict[str, Phase]]:
    upgrade(url)
    cids, agents = seed_staff(url, USERS, AGENTS)
    with running_server(url, workdir) as server, httpx.Client(base_url=server.url) as client:
        origin = server.origin
        pairs = [(agents[i % len(agents)], cid) for i, cid in enumerate(cids)]
        run = Wrk(
            server,
            workdir,
            threads=options.threads,
            connections=options.connections,
            duration=options.duration,
        )
        challenge_bodies = [json.dumps({"agent_id": a.agent_id, "cid": c}) for a, c in pairs]
        rounds = []
        for number in range(1, options.rounds + 1):
            print(f"   round {number}", flush=True)
            tokens = log_in_all(client, origin, pairs)  # the last round's logins replaced them
            verify_bodies = [json.dumps({"username": c, "password": t}) for c, t in tokens.items()]
            phases = {"healthz": run.get("healthz", "/healthz")}
            phases["verify"] = run.post("verify", "/api/v1/auth/verify", verify_bodies)
            phases["challenge"] = run.post("challenge", "/api/v1/auth/challenge", challenge_bodies)
            pool = _signed_logins(client, origin, pairs, phases["challenge"].requests)
            phases["login"] = run.post("login", "/api/v1/auth/login", pool, once=True)
            rounds.append(phases)
    return rounds


def _signed_logins(
    client: httpx.Client, origin: str, pairs: list[tuple[Agent, str]], count: int
) -> list[str]:
    """``count`` login bodies on fresh nonces, made with a few concurrent clients (untimed)."""
    started = time.monotonic()
    jobs = [pairs[i % len(pairs)] for i in range(count)]
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda job: login_body(client, origin, *job), jobs))
    print(f"   {count} signed login bodies in {time.monotonic() - started:.1f} s", flush=True)
    return bodies


def _report(results: dict[str, list[dict[str, Phase]]], options: argparse.Namespace) -> None:
    print(
        f"\nwrk -t{options.threads} -c{options.connections} -d{options.duration}s, "
        f"{options.rounds} rounds, one server process, {os.cpu_count()} CPUs; "
        "medians over the rounds, each ratio within its round\n"
    )
    print(
        "| database | /healthz rps | verify rps (p50 / p99 ms) | challenge rps | login rps "
        "(p50 / p99 ms) | full login rps | verify / healthz | full login / healthz |"
    )
    print("|---|---|---|---|---|---|---|---|")
    failed = False
    for backend, rounds in results.items():
        median = partial(_median, rounds)
        fulls = [1 / (1 / p["challenge"].rps + 1 / p["login"].rps) for p in rounds]
        verify_ratio = statistics.median(p["verify"].rps / p["healthz"].rps for p in rounds)
        login_ratio = statistics.median(
            f / p["healthz"].rps for f, p in zip(fulls, rounds, strict=True)
        )
        failed |= verify_ratio < VERIFY_TARGET or login_ratio < LOGIN_TARGET
        print(
            f"| {backend} | {median('healthz', 'rps'):.0f} | {median('verify', 'rps'):.0f} "
            f"({median('verify', 'p50_ms'):.1f} / {median('verify', 'p99_ms'):.1f}) | "
            f"{median('challenge', 'rps'):.0f} | {median('login', 'rps'):.0f} "
            f"({median('login', 'p50_ms'):.1f} / {median('login', 'p99_ms'):.1f}) | "
            f"{statistics.median(fulls):.0f} | {verify_ratio:.0%} "
            f"{'✓' if verify_ratio >= VERIFY_TARGET else '✗'} (≥ {VERIFY_TARGET:.0%}) | "
            f"{login_ratio:.0%} {'✓' if login_ratio >= LOGIN_TARGET else '✗'} "
            f"(≥ {LOGIN_TARGET:.0%}) |"
        )
    if failed:
        print("\nat least one target not met")


def _median(rounds: list[dict[str, Phase]], name: str, figure: str) -> float:
    return float(statistics.median(getattr(phases[name], figure) for phases in rounds))


if __name__ == "__main__":
    main()
