"""Security headers of the web pages: a strict CSP (no inline script or style), no framing,
no caching of pages (they carry personal data), no referrer to other sites."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class SecurityHeadersMiddleware:
    """Adds :data:`PAGE_HEADERS` to responses under ``prefixes`` (and ``no-store`` to all but
    the static files)."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...], static: str) -> None:
        self.app, self.prefixes, self.static = app, prefixes, static

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/" or path.startswith(self.prefixes)):
            await self.app(scope, receive, send)
            return
        cached = path.startswith(self.static)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in PAGE_HEADERS.items():
                    headers[name] = value
                if not cached:
                    for name, value in NO_STORE.items():
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
