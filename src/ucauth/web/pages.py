"""What every page handler uses: templates, the session cookie, CSRF and origin checks, the
signed-on user.

One :class:`WebState` per app (``app.state.web``). Handlers call :func:`render` for pages,
:func:`signed_on` for the user of a live session (SessionRequiredError otherwise: the error
handler answers with the log-on page), :func:`check_form` before any state-changing work.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ucauth import __version__
from ucauth.i18n import LANGUAGES, negotiate, translate
from ucauth.server.dependencies import app_context
from ucauth.tokens.errors import InvalidCredentialsError, LoginRefusedError
from ucauth.tokens.service import AuthenticatedUser, authenticate_session
from ucauth.web import formatting, sessions
from ucauth.web.errors import CsrfRefusedError, SessionRequiredError
from ucauth.web.sessions import WebSession

T = TypeVar("T")
LANG_COOKIE = "ucauth_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class WebState:
    """Per app: the template environment, the cookie key and the origins allowed to post."""

    templates: Environment
    cookie_key: bytes
    secure: bool  # cookies only over HTTPS (an https:// origin)
    origin: str  # this server's public origin
    login_origins: frozenset[str]  # other pages that may post the rights-search log-on


def web_state(origin: str, login_origins: str, token_key: bytes, zone: ZoneInfo) -> WebState:
    templates = Environment(
        loader=PackageLoader("ucauth.web", "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.filters.update(formatting.filters(zone))
    templates.globals["version"] = __version__
    return WebState(
        templates,
        sessions.session_key(token_key),
        origin.startswith("https://"),
        origin,
        frozenset(o for o in login_origins.split(",") if o),
    )


def state(request: Request) -> WebState:
    web: WebState = request.app.state.web
    return web


def language(request: Request) -> str:
    """The language chosen with the switch (a cookie), else the browser's, else Thai."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language"))


def text(request: Request, key: str, **params: object) -> str:
    """The catalog text ``web.<key>`` in the request's language."""
    return translate(f"web.{key}", language(request), **params)


def session_of(request: Request) -> WebSession | None:
    return sessions.decode(request.cookies.get(sessions.COOKIE), state(request).cookie_key)


def signed_on(request: Request, *, login: str) -> tuple[WebSession, AuthenticatedUser]:
    """The live session and its user; SessionRequiredError (then the ``login`` page) when the
    cookie is missing or its token has died."""
    session = session_of(request)
    if session is None or session.cid is None or session.reference is None:
        raise SessionRequiredError(login=login)
    context = app_context(request)
    try:
        user = context.database.read(
            authenticate_session,
            context.tokens,
            session.cid,
            session.reference,
            now=context.clock.now(),
        )
    except (InvalidCredentialsError, LoginRefusedError):
        raise SessionRequiredError(login=login) from None
    request.state.user = user
    return session, user


def same_origin(request: Request) -> bool:
    """The request's ``Origin`` is this server's (configured, or as the browser addressed it),
    or absent (browsers send it with every POST; other clients cannot ride a user's cookie)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = {state(request).origin, f"{request.url.scheme}://{request.headers.get('host', '')}"}
    return origin in own


def check_csrf(request: Request, session: WebSession | None, submitted: str | None) -> None:
    """CsrfRefusedError unless the request comes from this origin with the session's token."""
    if session is None or not submitted or not same_origin(request):
        raise CsrfRefusedError()
    if not hmac.compare_digest(session.csrf.encode(), submitted.encode()):
        raise CsrfRefusedError()


async def check_form(request: Request) -> Mapping[str, Any]:
    """The posted form, after the CSRF check (the ``csrf`` field)."""
    form = await request.form()
    value = form.get(CSRF_FIELD)
    check_csrf(request, session_of(request), value if isinstance(value, str) else None)
    return form


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    *,
    session: WebSession | None = None,
    expires_at: datetime | None = None,
    **values: Any,
) -> HTMLResponse:
    """A page in the request's language, with a session cookie (a new anonymous one when the
    request has none; ``session`` when given, e.g. after a log-on)."""
    web = state(request)
    lang = language(request)
    current = session or session_of(request)
    fresh = current is None
    if current is None:
        current = WebSession.new(app_context(request).random)

    def t(key: str, **params: object) -> str:
        return translate(f"web.{key}", lang, **params)

    html = web.templates.get_template(template).render(
        t=t,
        lang=lang,
        csrf=current.csrf,
        path=request.url.path,
        user=getattr(request.state, "user", None),
        **values,
    )
    response = HTMLResponse(html, status_code)
    if fresh or session is not None:
        set_session(request, response, current, expires_at)
    return response


def set_session(
    request: Request, response: Response, session: WebSession, expires_at: datetime | None
) -> None:
    web = state(request)
    response.set_cookie(
        sessions.COOKIE,
        sessions.encode(session, web.cookie_key),
        max_age=sessions.cookie_max_age(session, expires_at, app_context(request).clock.now()),
        path="/",
        secure=web.secure,
        httponly=True,
        samesite="strict",
    )


async def in_session(request: Request, work: Callable[[Session], T]) -> T:
    """``work(session)`` on an ORM session, in a worker thread (the pages are not hot)."""
    context = app_context(request)

    def run() -> T:
        with context.sessions() as session:
            return work(session)

    return await run_in_threadpool(run)


def redirect(location: str) -> RedirectResponse:
    """See other (303): after a POST, the browser gets ``location``."""
    return RedirectResponse(location, status_code=303)


def login_redirect(login: str, path: str) -> RedirectResponse:
    return redirect(f"{login}?next={quote(path)}")


def local_path(value: str | None, default: str) -> str:
    """``value`` when it is a path on this server (no scheme, no host), else ``default``."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default
