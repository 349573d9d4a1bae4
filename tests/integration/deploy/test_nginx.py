"""deploy/nginx/ucauth.conf as operators use it: nginx ends TLS (a self-signed certificate made
here) in front of two ``ucauth server`` processes on one PostgreSQL database. A clerk logs in
and HIS look people up through nginx over HTTPS (REST) and plain HTTP (SOAP, NHSO's address);
both processes serve requests; the address nginx sees reaches the audit log (a forged
X-Forwarded-For does not); plain-HTTP paths other than SOAP are redirected.

Only ports and file paths of the example are substituted; everything else runs as shipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.support.factories import add_agent, add_unit, add_user, cid_for
from tests.support.rights import PID, SAMPLE_ROW, store
from tests.support.server import TOKEN_KEY, free_port, stop_process, wait_until_up
from ucauth.audit.service import Action, events
from ucauth.client import Credentials, RightsClient
from ucauth.db import make_engine

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "deploy" / "nginx" / "ucauth.conf"
STAFF = cid_for(1)
MAIN_CONF = """\
daemon off;
master_process on;
worker_processes 1;
user root;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/ucauth.conf;
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        pytest.fail("nginx is required for this test: apt-get install nginx")
    return found


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def example_config(https: int, http: int, upstreams: list[int], cert: Path, key: Path) -> str:
    """The shipped example with this test's ports and certificate."""
    text = EXAMPLE.read_text(encoding="utf-8")
    replacements = {
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "127.0.0.1:8001": f"127.0.0.1:{upstreams[0]}",
        "127.0.0.1:8002": f"127.0.0.1:{upstreams[1]}",
        "/etc/ssl/ucauth/fullchain.pem": str(cert),
        "/etc/ssl/ucauth/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"the example no longer has {old!r}"
        text = text.replace(old, new)
    return text


class Deployment:
    def __init__(self, https: int, http: int, cert: Path, logs: list[Path]) -> None:
        self.origin = f"https://127.0.0.1:{https}"
        self.plain = f"http://127.0.0.1:{http}"
        self.cert = cert
        self.logs = logs


@pytest.fixture
def deployment(postgres_url: str, tmp_path: Path) -> Iterator[Deployment]:
    nginx = nginx_binary()
    https, http, first, second = (free_port() for _ in range(4))
    cert, key = self_signed(tmp_path)
    origin = f"https://127.0.0.1:{https}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UCAUTH_")}
    env |= {
        "UCAUTH_DATABASE_URL": postgres_url,
        "UCAUTH_TOKEN_KEY": TOKEN_KEY,
        "UCAUTH_ORIGIN": origin,
        "UCAUTH_FORWARDED_ALLOW_IPS": "127.0.0.1",
        "UCAUTH_JOBS_ENABLED": "false",  # the test's accounts are backdated
    }
    processes: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        for port in (first, second):
            log = tmp_path / f"server-{port}.log"
            logs.append(log)
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "ucauth", "server", "--port", str(port)],
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
            wait_until_up(f"http://127.0.0.1:{port}/healthz", processes[-1], log)
        nginx_dir = tmp_path / "nginx"
        nginx_dir.mkdir()
        (nginx_dir / "ucauth.conf").write_text(
            example_config(https, http, [first, second], cert, key)
        )
        main = nginx_dir / "nginx.conf"
        main.write_text(MAIN_CONF.format(dir=nginx_dir))
        subprocess.run([nginx, "-t", "-c", str(main), "-p", str(nginx_dir)], check=True,
                       capture_output=True, timeout=30)  # fmt: skip
        proxy = subprocess.Popen([nginx, "-c", str(main), "-p", str(nginx_dir)])
        processes.append(proxy)
        with httpx.Client(verify=str(cert)) as probe:
            wait_until_up_through(probe, f"{origin}/healthz", proxy, nginx_dir / "error.log")
        yield Deployment(https, http, cert, logs)
    finally:
        for process in reversed(processes):
            stop_process(process)


def wait_until_up_through(
    client: httpx.Client, url: str, process: subprocess.Popen[bytes], log: Path
) -> None:
    for _ in range(100):
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {log.read_text() if log.exists() else ''}")
        try:
            if client.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"nothing answers {url} through nginx")


@pytest.fixture
def session(postgres_url: str) -> Iterator[Session]:
    """A session on the deployment's PostgreSQL database (not the parametrised one)."""
    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session
    engine.dispose()


def test_two_processes_behind_nginx_with_tls(
    deployment: Deployment, session: Session, postgres_url: str
) -> None:
    store(postgres_url, SAMPLE_ROW)
    add_unit(session)
    add_user(session, STAFF)
    agent = add_agent(session, deployment.origin)
    with httpx.Client(base_url=deployment.origin, verify=str(deployment.cert)) as https:
        token = agent.token(https, STAFF)  # signed for the public https origin
        assert https.get("/metrics").status_code == 200  # from 127.0.0.1: allowed
        forged = https.get(
            f"/api/ucws/v1/right-search?pid={PID}",
            headers={"Authorization": f"Bearer {STAFF}#{token}", "X-Forwarded-For": "203.0.113.9"},
        )
        assert forged.status_code == 200
    credentials = Credentials(STAFF, token)
    transport = httpx.HTTPTransport(verify=str(deployment.cert))
    with RightsClient(deployment.origin, credentials, transport=transport) as client:
        for _ in range(10):
            person = client.right_search(PID)
            assert person is not None and person.pid == PID
        assert client.verify().user.cid == STAFF
    with RightsClient(deployment.plain, credentials) as legacy:  # SOAP at NHSO's plain address
        soap = legacy.soap_search(PID)
        assert soap is not None and soap.fname == "ธนิกุล"
    redirect = httpx.get(f"{deployment.plain}/api/ucws/v1/right-search?pid={PID}")
    assert redirect.status_code == 301
    assert redirect.headers["location"].startswith("https://")
    served = [log.read_text().count("right-search") for log in deployment.logs]
    assert all(count > 0 for count in served), served  # both processes took lookups
    lookups = events(session, actions=[Action.RIGHTS_LOOKUP], limit=None)
    assert len(lookups) == 12
    # nginx replaces the client's own X-Forwarded-For with the address it sees.
    assert {event.client_address for event in lookups} == {"127.0.0.1"}
