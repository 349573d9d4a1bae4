"""Serve the example HIS page and pass its lookups on to a ucauth server (standard library only).

    python examples/web/serve.py --server http://127.0.0.1:8000 [--port 8190]

Open http://127.0.0.1:8190/ (``?agent=http://127.0.0.1:PORT`` for an agent on another port).
The page's origin, ``http://127.0.0.1:8190``, must be allowed by the agent
(``UCAUTH_AGENT_ALLOWED_ORIGINS``; ``ucauth demo`` allows it). A real HIS back end would call
ucauth the same way: with the clerk's ``Authorization: Bearer CID#token``.
"""

from __future__ import annotations

import argparse
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGE = Path(__file__).with_name("index.html")
LOOKUP = "/api/ucws/v1/right-search"


class Handler(BaseHTTPRequestHandler):
    server_url = "http://127.0.0.1:8000"

    def do_GET(self) -> None:
        if self.path in ("/", "/index.html") or self.path.startswith("/?"):
            self._send(200, "text/html; charset=utf-8", PAGE.read_bytes())
        elif self.path.startswith(LOOKUP + "?"):
            self._forward()
        else:
            self._send(404, "text/plain", b"not found")

    def _forward(self) -> None:
        request = urllib.request.Request(self.server_url + self.path)
        request.add_header("Authorization", self.headers.get("Authorization", ""))
        request.add_header("Accept-Language", "th")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                self._send(answer.status, answer.headers["Content-Type"], answer.read())
        except urllib.error.HTTPError as refusal:
            self._send(refusal.code, refusal.headers["Content-Type"], refusal.read())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description="the example HIS page")
    parser.add_argument("--server", default="http://127.0.0.1:8000")
    parser.add_argument("--port", type=int, default=8190)
    args = parser.parse_args()
    Handler.server_url = args.server.rstrip("/")
    with ThreadingHTTPServer(("127.0.0.1", args.port), Handler) as httpd:
        print(f"HIS example page: http://127.0.0.1:{args.port}/")
        httpd.serve_forever()


if __name__ == "__main__":
    main()
