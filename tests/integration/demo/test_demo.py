"""``ucauth demo`` as a newcomer runs it: seeded, then logged in through the agent's API with
the virtual card (through a private pcscd), persons looked up over REST and SOAP with the
agent's token, stopped with SIGINT (exit 0, no traceback, no process left), and a second run
that reuses the data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import screenshot
from ucauth.card.virtual.pcscd import PrivatePcscd
from ucauth.client import RightsClient, agent_token
from ucauth.demo.run import READY_FILE

pytestmark = [pytest.mark.pcsc, pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

READY_TIMEOUT = 120.0
ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
EXAMPLE_PAGE = "http://127.0.0.1:8190"  # an origin the demo agent allows


@dataclass
class Demo:
    process: subprocess.Popen[str]
    ready: dict[str, Any]
    children: list[int]

    def stop(self) -> tuple[str, str]:
        self.process.send_signal(signal.SIGINT)
        return self.process.communicate(timeout=60)


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def all_gone(pids: list[int], timeout: float = 5.0) -> bool:
    """True once none of ``pids`` runs (multiprocessing's resource tracker ends a moment
    after its parent)."""
    deadline = time.monotonic() + timeout
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@contextmanager
def demo(data_dir: Path) -> Iterator[Demo]:
    command = [sys.executable, "-m", "ucauth", "demo", "--data-dir", str(data_dir)]
    command += ["--port", "0", "--agent-port", "0"]
    env = {**os.environ, "UCAUTH_LANG": "en", "COLUMNS": "120"}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        ready_file = data_dir / READY_FILE
        deadline = time.monotonic() + READY_TIMEOUT
        while not ready_file.exists():
            if process.poll() is not None:
                pytest.fail(f"ucauth demo exited {process.returncode}: {process.communicate()}")
            if time.monotonic() > deadline:
                pytest.fail("ucauth demo was not ready in time")
            time.sleep(0.1)
        yield Demo(process, json.loads(ready_file.read_text()), child_pids(process.pid))
    finally:
        if process.poll() is None:  # the test failed: stop it as cleanly as possible
            process.terminate()
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def log_in(agent: str, pin: str) -> dict[str, str]:
    """Wait until the agent asks for the PIN (or shows the session a previous run left), then
    log in as its page does."""
    deadline = time.monotonic() + 30
    with httpx.Client(base_url=agent, timeout=10) as http:
        while True:
            steps = {s["id"]: s for s in http.get("/api/status?lang=en").json()["steps"]}
            if steps["pin"]["code"] in ("pin_needed", "logged_in"):
                break
            assert time.monotonic() < deadline, steps
            time.sleep(0.1)
        response = http.post("/api/login", json={"pin": pin}, headers={"Origin": agent})
    assert response.status_code == 200, response.text
    session: dict[str, str] = response.json()
    return session


def run_example(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def check_examples(server: str, agent: str, people: dict[str, str], page: Page) -> None:
    """The examples of examples/, run against the demo with the agent's token."""
    python = [sys.executable, str(EXAMPLES / "python" / "lookup_sync.py")]
    out = run_example(*python, people["pending"], "--server", server, "--agent", agent)
    assert "ประเสริฐ" in out and "right has changed: new UCS" in out
    python = [sys.executable, str(EXAMPLES / "python" / "lookup_async.py")]
    out = run_example(
        *python, people["found"], people["nobody"], "--server", server, "--agent", agent
    )
    assert "มาลี" in out and f"{people['nobody']}: not in the registry" in out
    out = run_example("sh", str(EXAMPLES / "curl" / "lookup.sh"), people["found"], server, agent)
    assert '"valid":true' in out and "NHSO-000001" in out and "WSB" in out
    serve = [sys.executable, str(EXAMPLES / "web" / "serve.py"), "--server", server]
    with subprocess.Popen(serve, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as web:
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    httpx.get(EXAMPLE_PAGE, timeout=1)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "serve.py did not start"
                    time.sleep(0.1)
            page.goto(f"{EXAMPLE_PAGE}/?agent={agent}")
            page.fill("#pid", people["deceased"])
            page.click("button[type=submit]")
            expect(page.locator("#result")).to_contain_text("บุญมี")
            expect(page.locator("#result")).to_contain_text("เสียชีวิต")
            expect(page.locator("#who")).to_contain_text(people["clerk"])
            screenshot(page, "examples-web-his-page")
        finally:
            web.terminate()


def test_demo_login_lookups_and_clean_stop(
    pcscd_stopped: PrivatePcscd, tmp_path: Path, page: Page
) -> None:
    data_dir = tmp_path / "demo"
    with demo(data_dir) as first:
        ready, people = first.ready, first.ready["people"]
        assert ready["transport"] == "private_pcscd", first.process.stderr
        assert ready["pin"] == "1234"
        session = log_in(ready["agent_url"], ready["pin"])
        assert session["username"] == people["clerk"]
        token = agent_token(ready["agent_url"])
        assert token.token == session["token"]
        token_line = Path(ready["token_file"]).read_text().strip()
        assert token_line == f"{people['clerk']}#{session['token']}"
        with RightsClient(ready["server_url"], token.credentials()) as client:
            found = client.right_search(people["found"])
            assert found is not None and found.funds[0].main_inscl is not None
            assert found.funds[0].main_inscl.id == "UCS"
            deceased = client.right_search(people["deceased"])
            assert deceased is not None and deceased.death_date
            assert client.right_search(people["generated"]) is not None
            assert client.right_search(people["nobody"]) is None
            pending = client.soap_search(people["pending"])
            assert pending is not None and pending.has_pending_change
            assert pending.get("new_maininscl") == "UCS"
        for printed in ("/search", "/console", "/docs"):  # the pages the demo points to
            assert httpx.get(ready["server_url"] + printed).status_code in (200, 303), printed
        check_examples(ready["server_url"], ready["agent_url"], people, page)
        children = first.children
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children]
        assert any(b"pcscd\0" in c for c in commands), commands
        assert any(b"ucauth\0server" in c for c in commands), commands
        stdout, stderr = first.stop()
    assert first.process.returncode == 0, stderr
    assert "Traceback" not in stderr + stdout
    assert "Seeding the demo" in stderr and "Demo stopped" in stderr
    assert ready["agent_url"] in stdout and "PIN 1234" in stdout
    assert f"ucauth check {people['found']}" in stdout and "UCWSTokenP1" in stdout
    assert all_gone(children)
    assert not (data_dir / READY_FILE).exists()

    with demo(data_dir) as second:
        log_in(second.ready["agent_url"], "1234")
        stdout, stderr = second.stop()
    assert second.process.returncode == 0, stderr
    assert "Reusing the demo data" in stderr and "Seeding" not in stderr
    assert "Traceback" not in stderr + stdout
