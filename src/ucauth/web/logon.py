"""Log-on with citizen ID + token (R1), shared by the rights-search page and the console."""

from __future__ import annotations

from fastapi import Request

from ucauth.audit.service import Action, Event
from ucauth.server.dependencies import app_context, client_address
from ucauth.tokens.credentials import session_reference, token_hmac
from ucauth.tokens.errors import TokensError
from ucauth.tokens.service import AuthenticatedUser, authenticate
from ucauth.web import pages
from ucauth.web.sessions import WebSession


async def log_on(
    request: Request, *, area: str, allow_origins: frozenset[str] = frozenset()
) -> tuple[AuthenticatedUser, WebSession] | TokensError:
    """Check posted ``username`` (citizen ID) and ``password`` (token); on success the new
    session (fresh CSRF secret) and an audit record, else the refusal to show."""
    form = await request.form()
    origin = request.headers.get("origin")
    session = pages.session_of(request)
    if origin is None or origin not in allow_origins:
        submitted = form.get(pages.CSRF_FIELD)
        pages.check_csrf(request, session, submitted if isinstance(submitted, str) else None)
    context = app_context(request)
    cid, token = field(form.get("username")), field(form.get("password"))
    now, address = context.clock.now(), client_address(request)
    try:
        user = context.database.read(
            authenticate, context.tokens, cid, token, now=now, client_address=address
        )
    except TokensError as error:
        return error
    reference = session_reference(context.tokens.key, token_hmac(context.tokens.key, token))
    fresh = (session or WebSession.new(context.random)).logged_on(cid, reference, context.random)
    event = Event(
        Action.WEB_LOGIN,
        actor=user.cid,
        subject_cid=user.cid,
        agent_id=user.agent_id,
        unit_hcode=user.unit_hcode,
        client_address=address,
        details={"area": area},
    )
    await context.audit.write(now, event)
    return user, fresh


def field(value: object) -> str:
    """A posted text field, stripped and cut to 64 characters ("" when missing)."""
    return value.strip()[:64] if isinstance(value, str) else ""
