"""The agent's localhost HTTP layer: the JSON API, the NHSO-compatible card API, the lock-down.

Thin routes over :class:`ucauth.agent.service.AgentService`; errors become the uniform body
``{"error": {"code", "message"[, "tries_left"]}}`` here, in one place (``STATUS``). The
lock-down middleware refuses foreign ``Host`` headers (DNS rebinding) and origins outside the
allowlist (GETs too), reflects only allowlisted origins in CORS, and accepts side effects only as
``application/json`` POSTs; the login route takes the PIN only from the agent's own page.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ucauth.agent import nhso
from ucauth.agent.errors import (
    AccountError,
    AgentDisabledError,
    AgentUnknownError,
    CardExpiredError,
    EnrolmentRefusedError,
    ForbiddenHostError,
    ForbiddenOriginError,
    InvalidRequestError,
    LoginInProgressError,
    NotEnrolledError,
    NotFoundError,
    NotLoggedInError,
    PinOriginError,
    ServerRefusedError,
    ServerUnreachableError,
    SessionEndedError,
    TooManyAttemptsError,
    UnsupportedMediaTypeError,
)
from ucauth.agent.page import router as page_router
from ucauth.agent.service import AgentService
from ucauth.agent.settings import AgentSettings
from ucauth.agent.steps import build_steps
from ucauth.card.errors import (
    CardError,
    InvalidPinError,
    PcscUnavailableError,
    PinBlockedError,
    PinFormatError,
)
from ucauth.errors import UcauthError
from ucauth.i18n import negotiate, normalize_language

logger = logging.getLogger(__name__)

# HTTP status by error class; the most specific class in an error's MRO wins (else 500).
STATUS: dict[type[UcauthError], int] = {
    InvalidPinError: 401,
    SessionEndedError: 401,
    PinBlockedError: 403,
    PinOriginError: 403,
    ForbiddenHostError: 403,
    ForbiddenOriginError: 403,
    CardExpiredError: 403,
    AccountError: 403,
    AgentDisabledError: 403,
    AgentUnknownError: 403,
    EnrolmentRefusedError: 403,
    NotEnrolledError: 403,
    ServerRefusedError: 403,
    NotLoggedInError: 404,
    NotFoundError: 404,
    LoginInProgressError: 409,
    CardError: 409,
    UnsupportedMediaTypeError: 415,
    PinFormatError: 422,
    InvalidRequestError: 422,
    TooManyAttemptsError: 429,
    PcscUnavailableError: 503,
    ServerUnreachableError: 503,
}
JSON = "application/json"
CORS_METHODS = "GET, POST"
CORS_HEADERS = "Content-Type"


def status_for(error: UcauthError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def language(request: Request) -> str:
    """``?lang=``, else ``Accept-Language``, else Thai."""
    lang = request.query_params.get("lang")
    if lang:
        return normalize_language(lang)
    return negotiate(request.headers.get("accept-language"))


def error_response(request: Request, error: UcauthError) -> JSONResponse:
    body: dict[str, object] = {"code": error.code, "message": error.message(language(request))}
    if isinstance(error, InvalidPinError):
        body["tries_left"] = error.tries_left
    headers = {}
    if isinstance(error, TooManyAttemptsError):
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse({"error": body}, status_code=status_for(error), headers=headers)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def create_agent_app(service: AgentService, settings: AgentSettings | None = None) -> FastAPI:
    """The agent's ASGI app over ``service`` (started and stopped with the app)."""
    settings = settings or service.settings

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            await run_in_threadpool(service.stop)

    app = FastAPI(
        title="ucauth agent", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )

    @app.middleware("http")
    async def lock_down(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        origin = request.headers.get("origin")
        try:
            if request.headers.get("host", "").lower() not in settings.hosts:
                raise ForbiddenHostError()
            if origin is not None and origin not in settings.origins:
                raise ForbiddenOriginError()
            if request.method == "OPTIONS" and origin is not None:
                response: Response = Response(status_code=204)
                response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
                response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
                response.headers["Access-Control-Max-Age"] = "600"
                if request.headers.get("access-control-request-private-network") == "true":
                    response.headers["Access-Control-Allow-Private-Network"] = "true"
            elif request.method not in ("GET", "HEAD") and _media_type(request) != JSON:
                raise UnsupportedMediaTypeError()
            else:
                response = await call_next(request)
        except UcauthError as error:
            response = error_response(request, error)
            origin = None  # a refused origin gets no CORS headers
        if origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        if request.url.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(UcauthError)
    async def ucauth_error(request: Request, error: UcauthError) -> JSONResponse:
        return error_response(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 405:
            response = error_response(request, InvalidRequestError(detail=request.method))
            response.status_code = 405
            return response
        return error_response(request, NotFoundError())

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.error("agent: unexpected error on %s", request.url.path, exc_info=error)
        message = UcauthError().message(language(request))
        return JSONResponse({"error": {"code": "internal_error", "message": message}}, 500)

    @app.get("/api/status")
    def status(request: Request) -> dict[str, object]:
        lang = language(request)
        enrolment = service.enrolment
        snapshot = service.snapshot()
        session = snapshot.session
        return {
            "lang": lang,
            "steps": [step.to_json(lang) for step in build_steps(snapshot, lang)],
            "session": session.to_json() if session else None,
            "login_in_progress": service.login_in_progress,
            "enrolled": enrolment is not None,
            "server_url": enrolment.server_url if enrolment else None,
            "search_url": enrolment.search_url if enrolment else None,
            "access_request_url": enrolment.access_request_url if enrolment else None,
        }

    @app.post("/api/login")
    async def login(request: Request) -> dict[str, str]:
        if request.headers.get("origin") not in settings.page_origins:
            raise PinOriginError()
        if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
            raise PinOriginError()
        pin = _pin(await request.body())
        session = await run_in_threadpool(service.login, pin)
        return session.to_json()

    @app.post("/api/logout")
    def logout() -> dict[str, bool]:
        service.logout()
        return {"logged_out": True}

    @app.get("/api/token")
    def token() -> dict[str, str]:
        return service.session().to_json()

    @app.get("/api/smartcard/terminals")
    def terminals() -> list[dict[str, object]]:
        return nhso.terminals_document(service.terminals())

    @app.get("/api/smartcard/read-card-only")
    def read_card_only(readImageFlag: str = "false") -> dict[str, object]:
        return _card_document(service, _flag(readImageFlag))

    @app.get("/api/smartcard/read")
    def read(readImageFlag: str = "false") -> dict[str, object]:
        service.session()  # the lookup needs the clerk's token: refuse before reading the card
        document = _card_document(service, _flag(readImageFlag))
        rights = service.rights(str(document["pid"]))
        now = service.clock.now()
        return {**document, **nhso.rights_document(rights, now=now, zone=settings.zone)}

    app.state.service = service  # the page (ucauth.agent.page) reads the zone and URLs
    app.include_router(page_router)
    return app


def _flag(value: str) -> bool:
    return value.strip().lower() == "true"


def _card_document(service: AgentService, image: bool) -> dict[str, object]:
    card = service.read_card(photo=image)
    return nhso.card_document(
        card,
        image=image,
        now=service.clock.now(),
        zone=service.settings.zone,
        correlation_id=str(uuid.uuid4()),
    )


def _pin(body: bytes) -> str:
    """The ``pin`` of a JSON object; never echoed back or logged."""
    try:
        value = json.loads(body)
    except ValueError:
        raise InvalidRequestError(detail="the body is not JSON") from None
    pin = value.get("pin") if isinstance(value, dict) else None
    if not isinstance(pin, str):
        raise InvalidRequestError(detail='a JSON object with a string "pin"') from None
    return pin
