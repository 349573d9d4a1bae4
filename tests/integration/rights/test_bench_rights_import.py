from __future__ import annotations

import pytest
from bench.rights_import import main


@pytest.mark.postgres
def test_the_import_benchmark_runs_and_reports_ratios(
    postgres_server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--rows", "3000", "--demo-rows", "500", "--postgres-url", postgres_server_url])
    out = capsys.readouterr().out
    assert "rights import: 3,000 rows" in out
    assert out.count("ratio") == 3 and "PostgreSQL, first import" in out and "SQLite" in out
