"""Rights-lookup throughput of one ``ucauth server`` process, on SQLite and PostgreSQL.

    python -m bench.rights_lookup [--rows 1000000] [--small-rows 10000] [--duration 10]
                                  [--connections 16] [--backend sqlite|postgres]

For each database, a registry of ``--small-rows`` and one of ``--rows`` synthetic beneficiaries
(generated once into ``.cache/bench/`` and reused; the small one is the first rows of the large
one), each imported into a throwaway database. Staff are seeded and logged in through the
protocol; then ``ucauth server`` (one uvicorn process) is driven by wrk, one phase after the
other, same connections and duration:

1. ``GET /healthz``, the baseline;
2. REST ``GET /api/ucws/v1/right-search?pid=`` with ``Authorization: Bearer CID#token``;
3. SOAP ``searchCurrentByPID``.

Lookups go round-robin over (staff member, person) pairs, every person found, so each request
authenticates, reads the registry and commits its audit record before answering. Targets, as
ratios in the same run: REST ≥ 1/3 of ``/healthz``; SOAP ≥ 70 % of REST; REST p50 with the
large registry ≤ 1.3 × with the small one. National scale: about one million outpatient visits
a day make a few hundred checks a second at the morning peak (``NATIONAL_PEAK``).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.support import Phase, Wrk, log_in_all, running_server, seed_staff, throwaway_database
from ucauth.db import make_engine
from ucauth.migrations import upgrade
from ucauth.rights.generator import write_csv
from ucauth.rights.importer import import_beneficiaries

REST_TARGET = 1 / 3  # of /healthz
SOAP_TARGET = 0.70  # of REST
P50_TARGET = 1.3  # large over small registry
NATIONAL_PEAK = 300  # checks per second, all of Thailand (see the module doc)
USERS = 50
AGENTS = 4
PEOPLE = 2000  # distinct persons looked up
CACHE = Path(__file__).resolve().parent.parent / ".cache" / "bench"
SOAP_PATH = "/ucwstokenp1/UCWSTokenP1"
SOAP_BODY = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:tok="http://tokenws.ucws.nhso.go.th/"><soapenv:Header/><soapenv:Body>'
    "<tok:searchCurrentByPID><user_person_id>{cid}</user_person_id><smctoken>{token}</smctoken>"
    "<person_id>{pid}</person_id></tok:searchCurrentByPID></soapenv:Body></soapenv:Envelope>"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="the large registry")
    parser.add_argument("--small-rows", type=int, default=10_000, help="the small registry")
    parser.add_argument("--duration", type=int, default=10, help="seconds per phase")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], action="append")
    options = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    large = _registry(options.rows)
    small = _head(large, options.small_rows)
    pids = _people(small, min(PEOPLE, options.small_rows))
    results: dict[str, dict[int, dict[str, Phase]]] = {}
    for backend in options.backend or ["sqlite", "postgres"]:
        results[backend] = {}
        for rows, source in ((options.small_rows, small), (options.rows, large)):
            with throwaway_database(backend) as url, tempfile.TemporaryDirectory() as workdir:
                print(f"== {backend}, {rows:,} beneficiaries", flush=True)
                _load(url, source, Path(workdir))
                results[backend][rows] = _measure(url, Path(workdir), pids, options)
    _report(results, options)


def _registry(rows: int) -> Path:
    """The CSV of ``rows`` synthetic beneficiaries (seed 1), generated once into the cache."""
    path = CACHE / f"people-{rows}-seed1.csv"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        draft = path.with_suffix(".part")
        write_csv(draft, rows, seed=1)
        draft.replace(path)
        print(f"generated {rows:,} beneficiaries in {time.monotonic() - started:.1f} s")
    return path


def _head(source: Path, rows: int) -> Path:
    """The first ``rows`` beneficiaries of ``source`` (cached next to it)."""
    path = source.with_name(f"{source.stem}-head-{rows}.csv")
    if not path.exists():
        with source.open(encoding="utf-8") as lines:
            path.write_text("".join(itertools.islice(lines, rows + 1)), encoding="utf-8")
    return path


def _people(source: Path, count: int) -> list[str]:
    """``count`` citizen IDs spread over ``source`` (all of them are in both registries)."""
    with source.open(encoding="utf-8") as lines:
        next(lines)
        pids = [line.partition(",")[0] for line in lines]
    step = max(1, len(pids) // count)
    return pids[::step][:count]


def _load(url: str, source: Path, workdir: Path) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        started = time.monotonic()
        result = import_beneficiaries(engine, source, reject_file=workdir / "rejects.csv")
        print(f"   imported {result.loaded:,} in {time.monotonic() - started:.1f} s", flush=True)
    finally:
        engine.dispose()


def _measure(
    url: str, workdir: Path, pids: list[str], options: argparse.Namespace
) -> dict[str, Phase]:
    cids, agents = seed_staff(url, USERS, AGENTS)
    with running_server(url, workdir) as server, httpx.Client(base_url=server.url) as client:
        pairs = [(agents[i % len(agents)], cid) for i, cid in enumerate(cids)]
        tokens = list(log_in_all(client, server.origin, pairs).items())
        lookups = [(*tokens[i % len(tokens)], pid) for i, pid in enumerate(pids)]
        _check(client, lookups[0])
        run = Wrk(
            server,
            workdir,
            threads=options.threads,
            connections=options.connections,
            duration=options.duration,
        )
        return {
            "healthz": run.get("healthz", "/healthz"),
            "rest": run.get_lines(
                "rest",
                [
                    (f"/api/ucws/v1/right-search?pid={pid}", f"Bearer {cid}#{token}")
                    for cid, token, pid in lookups
                ],
            ),
            "soap": run.post(
                "soap",
                SOAP_PATH,
                [SOAP_BODY.format(cid=cid, token=token, pid=pid) for cid, token, pid in lookups],
                content_type="text/xml;charset=UTF-8",
            ),
        }


def _check(client: httpx.Client, lookup: tuple[str, str, str]) -> None:
    """One lookup of each kind answers as it should before anything is timed."""
    cid, token, pid = lookup
    headers = {"Authorization": f"Bearer {cid}#{token}"}
    rest = client.get("/api/ucws/v1/right-search", params={"pid": pid}, headers=headers)
    rest.raise_for_status()
    soap = client.post(SOAP_PATH, content=SOAP_BODY.format(cid=cid, token=token, pid=pid))
    if b"NHSO-000001" not in soap.content or pid.encode() not in soap.content:
        sys.exit(f"unexpected SOAP answer: {soap.text[:500]}")


def _report(results: dict[str, dict[int, dict[str, Phase]]], options: argparse.Namespace) -> None:
    print(
        f"\nwrk -t{options.threads} -c{options.connections} -d{options.duration}s, "
        f"one server process, {os.cpu_count()} CPUs; ratios within each database's run\n"
    )
    print(
        "| database | beneficiaries | /healthz rps | REST rps (p50 / p99 ms) | "
        "SOAP rps (p50 / p99 ms) | REST / healthz | SOAP / REST |"
    )
    print("|---|---:|---:|---|---|---|---|")
    failed = False
    for backend, sizes in results.items():
        for rows, phases in sizes.items():
            health, rest, soap = phases["healthz"], phases["rest"], phases["soap"]
            rest_ratio, soap_ratio = rest.rps / health.rps, soap.rps / rest.rps
            failed |= rest_ratio < REST_TARGET or soap_ratio < SOAP_TARGET
            print(
                f"| {backend} | {rows:,} | {health.rps:.0f} | {rest.rps:.0f} "
                f"({rest.p50_ms:.1f} / {rest.p99_ms:.1f}) | {soap.rps:.0f} "
                f"({soap.p50_ms:.1f} / {soap.p99_ms:.1f}) | {_verdict(rest_ratio, REST_TARGET)} | "
                f"{_verdict(soap_ratio, SOAP_TARGET)} |"
            )
    print(f"\np50 with {options.rows:,} over {options.small_rows:,} beneficiaries:")
    for backend, sizes in results.items():
        small, large = sizes[options.small_rows], sizes[options.rows]
        for phase in ("rest", "soap"):
            ratio = large[phase].p50_ms / small[phase].p50_ms
            failed |= phase == "rest" and ratio > P50_TARGET
            target = f" (target ≤ {P50_TARGET})" if phase == "rest" else ""
            print(f"  {backend:8} {phase}: {ratio:.2f}{target}")
    print(f"\nAgainst 10 × a national peak of {NATIONAL_PEAK} checks/s ({10 * NATIONAL_PEAK:,}/s):")
    for backend, sizes in results.items():
        large = sizes[options.rows]
        for phase in ("rest", "soap"):
            share = large[phase].rps / (10 * NATIONAL_PEAK)
            print(f"  {backend:8} {phase}: {large[phase].rps:,.0f}/s = {share:.1f} × that")
    if failed:
        print("\nat least one target not met")


def _verdict(ratio: float, target: float) -> str:
    return f"{ratio:.0%} {'✓' if ratio >= target else '✗'} (≥ {target:.0%})"


if __name__ == "__main__":
    main()
