"""How long ``ucauth demo`` takes to get its data ready (``python -m bench.demo_seed``).

Runs the demo's own preparation (``ucauth.demo.run.prepare``: migrate a fresh SQLite file, seed
units, accounts and code tables, generate and import the beneficiaries) into a fresh data
directory ``--runs`` times, then once more on the same directory (a second run, which reuses
the data). Target: the first run within 30 s for 100,000 beneficiaries.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from ucauth.demo.run import DEFAULT_PERSONS, DemoOptions, prepare

TARGET = 30.0  # seconds for the first run's preparation


def prepared_in(options: DemoOptions) -> float:
    start = time.perf_counter()
    prepare(options, progress=lambda _stage, _done, _total: None, say=lambda _message: None)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=DEFAULT_PERSONS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ucauth-bench-demo-") as tmp:
        runs = [Path(tmp) / f"run-{n}" for n in range(args.runs)]
        first = [prepared_in(DemoOptions(data_dir, args.persons)) for data_dir in runs]
        again = prepared_in(DemoOptions(runs[-1], args.persons))
    median = statistics.median(first)
    print(f"demo seed: {args.persons:,} beneficiaries, {args.runs} fresh runs")
    print(
        f"  first run (fresh data) median {median:6.2f} s  (runs: "
        + ", ".join(f"{s:.2f}" for s in first)
        + ")"
    )
    print(f"  target {TARGET:.0f} s   ratio {TARGET / median:5.2f}")
    print(f"  second run (data reused)      {again:6.2f} s")


if __name__ == "__main__":
    main()
