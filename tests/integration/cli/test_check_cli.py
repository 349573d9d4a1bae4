"""``ucauth check`` as a clerk or a script runs it, against a real server process: one person,
a file of IDs (resumed after Ctrl-C without checking an ID twice), the token from the agent.

The workstation agent is built in parallel; its ``GET /api/token`` is played here by a tiny
stand-in HTTP server that serves the JSON the agent will serve.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.rights import PID, SAMPLE_ROW, store
from tests.support.server import LiveServer
from ucauth.audit.service import Action, events
from ucauth.cid import complete_cid

STAFF = cid_for(1)
NOBODY = complete_cid("110170012345")


@pytest.fixture
def token(live_server: LiveServer, session: Session, database_url: str) -> str:
    store(database_url, SAMPLE_ROW)
    add_unit(session)
    add_user(session, STAFF)
    with httpx.Client(base_url=live_server.url) as client:
        return add_agent(session, live_server.origin).token(client, STAFF)


def ucauth(*args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ucauth", *args],
        env={**os.environ, "UCAUTH_LANG": "en", "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
        **options,
    )


def check(server: LiveServer, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    return ucauth("check", *args, "--server", server.url, "--user", STAFF, "--token", token)


def lookups(session: Session) -> list[str]:
    session.expire_all()
    found = events(session, actions=[Action.RIGHTS_LOOKUP], limit=None)
    return [event.subject_cid or "" for event in found]


def test_one_person_found_nobody_invalid_and_refused(
    live_server: LiveServer, token: str, session: Session
) -> None:
    found = check(live_server, token, PID)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["fname"] == "ธนิกุล"
    nobody = check(live_server, token, NOBODY)
    assert nobody.returncode == 6 and f"No rights found for {NOBODY}" in nobody.stderr
    invalid = check(live_server, token, "3150300174301")
    assert invalid.returncode == 5 and "Invalid citizen ID" in invalid.stderr
    refused = ucauth("check", PID, "--server", live_server.url, "--user", STAFF, "--token", "x")
    assert refused.returncode == 21 and "refused" in refused.stderr
    assert sorted(lookups(session)) == sorted([PID, NOBODY])


def test_errors_that_need_no_server(tmp_path: Path) -> None:
    unreachable = ucauth(
        "check", PID, "--server", "http://127.0.0.1:9", "--user", STAFF, "--token", "t"
    )
    assert unreachable.returncode == 20 and "Cannot reach" in unreachable.stderr
    no_agent = ucauth(
        "check", PID, "--server", "http://127.0.0.1:9", "--agent", "http://127.0.0.1:9"
    )
    assert no_agent.returncode == 25 and "No token from the ucauth agent" in no_agent.stderr
    for args in (
        [],
        [PID, "--file", "x.csv", "--out", "y.csv"],
        ["--file", "x.csv"],
        [PID, "--user", STAFF],
    ):
        assert ucauth("check", *args).returncode == 2
    missing = ucauth(
        "check",
        "--file",
        str(tmp_path / "none.csv"),
        "--out",
        str(tmp_path / "o.csv"),
        "--user",
        STAFF,
        "--token",
        "t",
    )
    assert missing.returncode == 3 and "none.csv" in missing.stderr


class _Agent(BaseHTTPRequestHandler):
    """Stand-in for the ucauth agent's ``GET /api/token``."""

    answer: tuple[int, dict[str, object]] = (404, {})

    def do_GET(self) -> None:
        status, body = self.answer if self.path == "/api/token" else (404, {})
        content = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def agent() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Agent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


def test_the_token_comes_from_the_agent(live_server: LiveServer, token: str, agent: str) -> None:
    _Agent.answer = (200, {"username": STAFF, "token": token, "expires_at": "2026-11-25T17:00:00Z"})
    found = ucauth("check", PID, "--server", live_server.url, "--agent", agent)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["pid"] == PID
    _Agent.answer = (404, {"error": {"code": "no_token", "message": "nobody is logged in"}})
    nobody = ucauth("check", PID, "--server", live_server.url, "--agent", agent)
    assert nobody.returncode == 25 and "nobody is logged in" in nobody.stderr


def _ids_file(path: Path, pids: list[str]) -> Path:
    path.write_text("pid\n" + "".join(f"{pid}\n" for pid in pids), encoding="utf-8")
    return path


def _results(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def test_a_file_of_ids_into_a_results_file(
    live_server: LiveServer, token: str, session: Session, tmp_path: Path
) -> None:
    ids = tmp_path / "ids.csv"
    ids.write_text(f"pid,hn\n{PID},1\n\n{NOBODY},2\n123,3\n{PID},4\n", encoding="utf-8")
    out = tmp_path / "results.csv"
    done = check(live_server, token, "--file", str(ids), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Checked 4 IDs: 2 found, 1 not found, 1 invalid" in done.stdout
    rows = _results(out)
    assert [(r["line"], r["pid"], r["status"]) for r in rows] == [
        ("2", PID, "found"),
        ("4", NOBODY, "not_found"),
        ("5", "123", "invalid_cid"),
        ("6", PID, "found"),
    ]
    assert rows[0]["fname"] == "ธนิกุล" and rows[0]["maininscl"] == "UCS"
    assert rows[0]["birth_date"] == "12 กันยายน 2526" and rows[0]["wsid"].startswith("WS")
    assert not out.with_name("results.csv.partial").exists()
    again = check(live_server, token, "--file", str(ids), "--out", str(out))
    assert again.returncode == 3 and "exists already" in again.stderr
    assert sorted(lookups(session)) == sorted([PID, NOBODY, PID])


@pytest.mark.slow
def test_an_interrupted_file_resumes_without_checking_an_id_twice(
    live_server: LiveServer, token: str, session: Session, tmp_path: Path
) -> None:
    pids = [cid_for(5000 + n) for n in range(400)]
    ids, out = _ids_file(tmp_path / "ids.csv", pids), tmp_path / "results.csv"
    command = [sys.executable, "-m", "ucauth", "check", "--file", str(ids), "--out", str(out)]
    command += ["--server", live_server.url, "--user", STAFF, "--token", token, "--batch-size", "2"]
    env = {**os.environ, "UCAUTH_LANG": "en"}
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as run:
        deadline = time.monotonic() + 30
        while (not out.exists() or out.stat().st_size < 2000) and time.monotonic() < deadline:
            time.sleep(0.05)
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=30)
    assert run.returncode == 130, stderr
    assert "run the same command again to continue" in stderr
    first = _results(out)
    assert 0 < len(first) < len(pids) and len(first) % 2 == 0  # whole batches only
    with out.open("a", encoding="utf-8") as torn:  # as if killed while writing a row
        torn.write(f"999,{pids[0]},fou")
    resumed = ucauth(*command[3:])
    assert resumed.returncode == 0, resumed.stderr
    rows = _results(out)
    assert [row["pid"] for row in rows] == pids
    assert [int(row["line"]) for row in rows] == list(range(2, len(pids) + 2))
    assert {row["status"] for row in rows} == {"not_found"}
    checked = Counter(lookups(session))
    assert set(checked) == set(pids) and set(checked.values()) == {1}  # each exactly once
    other = _ids_file(tmp_path / "other.csv", pids[:3])
    (out.with_name("results.csv.partial")).write_text(json.dumps({"ids": "x", "sha256": "y"}))
    mixed = ucauth(*command[3:5], str(other), *command[6:])
    assert mixed.returncode == 3 and "holds the results of x" in mixed.stderr
