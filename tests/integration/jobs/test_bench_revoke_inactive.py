from __future__ import annotations

import pytest
from bench.revoke_inactive import main


@pytest.mark.postgres
def test_the_revoke_benchmark_runs_and_reports_ratios(
    postgres_server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--accounts", "3000", "--postgres-url", postgres_server_url])
    out = capsys.readouterr().out
    assert out.count("ratio") == 2 and "600 revoked, 150 tokens" in out
