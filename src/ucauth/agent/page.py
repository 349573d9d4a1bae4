"""The clerk's page: ``GET /`` (the five steps, the PIN, the token) and its static files.

The page is a server-rendered shell in the clerk's language (Thai unless ``?lang=en`` chose
English, remembered in a cookie); ``static/page.js`` polls ``GET /api/status`` and drives the
rest. No inline script and nothing from another origin, so the Content-Security-Policy allows
only the agent itself, plus the server's rights-search page as the one foreign form target.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Cookie, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from ucauth import __version__
from ucauth.agent.service import AgentService
from ucauth.i18n import LANGUAGES, messages_for, normalize_language, translate

HERE = Path(__file__).parent
STATIC = HERE / "static"
STATIC_TYPES = {
    "page.js": "text/javascript; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
STEPS = ("reader", "card", "server", "account", "pin")
LANGUAGE_COOKIE = "ucauth_lang"
PREFIX = "agent_page."

templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


@cache
def static_version(name: str) -> str:
    """A short hash of a static file, so a new release's files are never taken from cache."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


def page_messages(lang: str) -> dict[str, str]:
    """The page's own strings in ``lang``, keyed without the catalog prefix."""
    messages = messages_for(lang, "agent_page")
    return {key.removeprefix(PREFIX): text for key, text in messages.items()}


def content_security_policy(form_target: str | None) -> str:
    """Only the agent's own files; forms may also go to the server's rights-search page."""
    form_action = "'self'"
    if form_target:
        parts = urlsplit(form_target)
        if parts.scheme in ("http", "https") and parts.netloc:
            form_action += f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self'; form-action {form_action}; base-uri 'none'; frame-ancestors 'none'"
    )


def service(request: Request) -> AgentService:
    agent: AgentService = request.app.state.service
    return agent


def search_url(request: Request) -> str | None:
    """The server's rights-search page, once the agent is enrolled."""
    enrolment = service(request).enrolment
    return enrolment.search_url if enrolment else None


@router.get("/", response_class=HTMLResponse)
def page(
    request: Request,
    lang: Annotated[str | None, Query()] = None,
    ucauth_lang: Annotated[str | None, Cookie()] = None,
) -> HTMLResponse:
    """The clerk's page in the chosen language (Thai by default)."""
    chosen = normalize_language(lang if lang in LANGUAGES else ucauth_lang)
    messages = page_messages(chosen)
    response = templates.TemplateResponse(
        request,
        "page.html",
        {
            "lang": chosen,
            "t": messages,
            "steps": STEPS,
            "step_titles": {step: translate(f"agent.step_{step}", chosen) for step in STEPS},
            "version": __version__,
            "static": static_url,
            "page_data": {
                "lang": chosen,
                "messages": messages,
                "time_zone": service(request).settings.timezone,
            },
        },
    )
    response.headers["Content-Security-Policy"] = content_security_policy(search_url(request))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="strict")
    return response


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    """One of the page's own files (a fixed list: no paths from the request reach the disk)."""
    media_type = STATIC_TYPES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    return FileResponse(
        STATIC / name,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
