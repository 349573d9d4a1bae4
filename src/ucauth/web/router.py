"""The web pages' part of the app: their routers, static files, the language switch, security
headers and error pages (:func:`install`, called by the app factory)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from ucauth.errors import UcauthError
from ucauth.i18n import LANGUAGES, translate
from ucauth.server.context import AppContext
from ucauth.web import pages
from ucauth.web.console.router import router as console_router
from ucauth.web.errors import SessionRequiredError
from ucauth.web.headers import NO_STORE, PAGE_HEADERS, SecurityHeadersMiddleware
from ucauth.web.requests import router as requests_router
from ucauth.web.search import router as search_router

STATIC = "/static/"
PREFIXES = ("/search", "/console", "/access-request", "/lang/", STATIC)
LANG_MAX_AGE = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home() -> Response:
    return pages.redirect("/search")


@router.get("/lang/{lang}")
async def switch_language(request: Request, lang: str) -> Response:
    """Remember the language (a preference cookie) and go back to the page."""
    response = pages.redirect(pages.local_path(request.query_params.get("next"), "/search"))
    if lang in LANGUAGES:
        response.set_cookie(pages.LANG_COOKIE, lang, max_age=LANG_MAX_AGE, path="/", samesite="lax")
    return response


def error_page(
    request: Request, status: int, code: str, message: str, error: Exception
) -> Response | None:
    """The page of an error on a web path; None for the API's paths."""
    path = request.url.path
    if not (path == "/" or path.startswith(PREFIXES)) or path.startswith(STATIC):
        return None
    if isinstance(error, SessionRequiredError):
        return pages.login_redirect(error.login, path if request.method == "GET" else error.login)
    if isinstance(error, UcauthError):
        message = error.message(pages.language(request))
    elif status >= 500:
        message = translate("common.error", pages.language(request))
    page = pages.render(request, "error.html", status, status=status, code=code, message=message)
    # Unexpected failures are answered outside the middleware stack: the headers go here too.
    page.headers.update({**PAGE_HEADERS, **NO_STORE})
    return page


def install(app: FastAPI, context: AppContext) -> None:
    settings = context.settings
    app.state.web = pages.web_state(
        settings.public_origin(),
        settings.web_login_origins,
        context.tokens.key,
        settings.zone,
    )
    app.state.error_page = error_page
    app.add_middleware(SecurityHeadersMiddleware, prefixes=PREFIXES, static=STATIC)
    app.mount(STATIC, StaticFiles(packages=[("ucauth.web", "static")]), name="static")
    for part in (router, search_router, requests_router, console_router):
        app.include_router(part)
