from __future__ import annotations

import pytest
from bench.demo_seed import main


def test_the_demo_seed_benchmark_runs_and_reports_its_ratio(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--persons", "300", "--runs", "2"])
    out = capsys.readouterr().out
    assert "demo seed: 300 beneficiaries, 2 fresh runs" in out
    assert "ratio" in out and "second run (data reused)" in out
