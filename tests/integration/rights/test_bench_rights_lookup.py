from __future__ import annotations

from pathlib import Path

import pytest
from bench import rights_lookup


@pytest.mark.postgres
@pytest.mark.slow
def test_the_lookup_benchmark_runs_and_reports_ratios(
    postgres_server_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("UCAUTH_BENCH_DATABASE_URL", postgres_server_url)
    monkeypatch.setattr(rights_lookup, "CACHE", tmp_path)
    rights_lookup.main(["--rows", "600", "--small-rows", "300", "--duration", "1"])
    out = capsys.readouterr().out
    assert out.count("| sqlite |") == 2 and out.count("| postgres |") == 2
    assert "REST / healthz" in out and "p50 with 600 over 300 beneficiaries" in out
    assert "× that" in out
    assert (tmp_path / "people-600-seed1.csv").exists()
