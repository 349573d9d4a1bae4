"""The rights-search page (the seed's "UCSEARCH CLIENT"): log-on with citizen ID + token,
one person by citizen ID, and a file of IDs in batches.

``POST /search/login`` is the one form that other origins may post: the workstation agent's
"go to the rights-checking system" button posts ``username`` and ``password`` from its own
page (``UCAUTH_WEB_LOGIN_ORIGINS``). Its CSRF protection is the credentials themselves plus
that allowlist: a post from anywhere else needs the session's CSRF token (see docs/web.md).
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from ucauth.cid import is_valid_cid
from ucauth.client.check_file import COLUMNS, result_row
from ucauth.errors import InvalidCitizenIdError
from ucauth.rights.callers import Caller
from ucauth.rights.lookups import Channel
from ucauth.rights.schemas import MAX_BATCH, PersonId, batch_items
from ucauth.server.dependencies import app_context, client_address, json_response, read_json
from ucauth.server.errors import status_for
from ucauth.tokens.errors import TokensError
from ucauth.web import pages
from ucauth.web.errors import SessionRequiredError
from ucauth.web.logon import field, log_on
from ucauth.web.sessions import WebSession

router = APIRouter(include_in_schema=False)
LOGIN = "/search"
BATCH_SIZE = 500  # IDs per request of the page's batch upload


@router.get("/search")
async def search_page(request: Request) -> Response:
    try:
        pages.signed_on(request, login=LOGIN)
    except SessionRequiredError:
        return pages.render(request, "search/login.html", username="", error=None)
    return _search(request)


@router.post("/search/login")
async def search_login(request: Request) -> Response:
    outcome = await log_on(request, area="search", allow_origins=pages.state(request).login_origins)
    if isinstance(outcome, TokensError):
        message = outcome.message(pages.language(request))
        username = field((await request.form()).get("username"))
        return pages.render(
            request, "search/login.html", status_for(outcome), username=username, error=message
        )
    user, session = outcome
    if pages.same_origin(request):
        response = pages.redirect(LOGIN)
        pages.set_session(request, response, session, user.expires_at)
        return response
    # Posted from the agent's page (another site): the browser keeps a SameSite=Strict cookie
    # set now but would not send it on a redirect of this cross-site navigation, so a page of
    # ours moves on to the search page as a same-site navigation.
    return pages.render(
        request, "continue.html", session=session, expires_at=user.expires_at, target=LOGIN
    )


@router.post("/search/logout")
async def search_logout(request: Request) -> Response:
    """Forget the session in this browser (the token itself lives on for the HIS)."""
    await pages.check_form(request)
    response = pages.redirect(LOGIN)
    pages.set_session(request, response, WebSession.new(app_context(request).random), None)
    return response


@router.post("/search")
async def search(request: Request) -> Response:
    _, user = pages.signed_on(request, login=LOGIN)
    form = await pages.check_form(request)
    pid = field(form.get("pid"))
    if not is_valid_cid(pid):
        message = InvalidCitizenIdError(cid=pid).message(pages.language(request))
        return _search(request, 400, pid=pid, error=message)
    context = app_context(request)
    lookup = await context.lookups.one(
        Caller.of(user), pid, channel=Channel.WEB, client_address=client_address(request)
    )
    today = lookup.at.astimezone(context.settings.zone).date()
    return _search(request, pid=pid, lookup=lookup, today=today)


def _search(request: Request, status_code: int = 200, **values: Any) -> Response:
    values = {"pid": "", "error": None, "lookup": None, "today": None, **values}
    return pages.render(request, "search/search.html", status_code, batch_size=BATCH_SIZE, **values)


class BatchRows(BaseModel):
    """A part of an uploaded IDs file: each ID with its line number in the file."""

    lines: Annotated[list[int], Field(max_length=MAX_BATCH)]
    pids: Annotated[list[PersonId], Field(min_length=1, max_length=MAX_BATCH)]


class BatchRowsResult(BaseModel):
    header: str  # the results file's first line
    rows: str  # CSV lines of these IDs, in order
    statuses: dict[str, int]


@router.post("/search/batch")
async def search_batch(request: Request) -> Response:
    """Look up a part of an uploaded file (the page sends it in parts and shows progress);
    answers the results file's CSV lines (the columns of ``ucauth check --file``)."""
    session, user = pages.signed_on(request, login=LOGIN)
    pages.check_csrf(request, session, request.headers.get(pages.CSRF_HEADER))
    body = await read_json(request, BatchRows)
    context = app_context(request)
    batch = await context.lookups.many(
        Caller.of(user), body.pids, channel=Channel.WEB, client_address=client_address(request)
    )
    lines = body.lines if len(body.lines) == len(body.pids) else range(1, len(body.pids) + 1)
    out, header = io.StringIO(), io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    statuses: dict[str, int] = {}
    for line, item in zip(lines, batch_items(batch, pages.language(request)), strict=True):
        row = result_row(line, item)
        writer.writerow(row)
        statuses[row[2]] = statuses.get(row[2], 0) + 1
    csv.writer(header, lineterminator="\n").writerow(COLUMNS)
    return json_response(
        BatchRowsResult(header=header.getvalue(), rows=out.getvalue(), statuses=statuses)
    )
