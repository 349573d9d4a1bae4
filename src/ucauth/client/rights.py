"""A typed client of a ucauth server's rights service (REST and batch), on httpx.

Results are the server's own pydantic models (:class:`ucauth.rights.rest.RightSearchResponse`,
:class:`ucauth.rights.schemas.BatchResponse`); failures are :mod:`ucauth.client.errors`. The
answers are decoded by plain functions (:func:`search_result`, :func:`batch_result`) that an
async client can share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from ucauth.cid import validate_cid
from ucauth.client.errors import (
    CredentialsRefusedError,
    RequestRefusedError,
    ServerFailedError,
    ServerUnreachableError,
    ThrottledError,
)
from ucauth.rights.rest import RightSearchResponse
from ucauth.rights.schemas import BatchRequest, BatchResponse

DEFAULT_SERVER = "http://127.0.0.1:8000"
RIGHT_SEARCH = "/api/ucws/v1/right-search"
BATCH = "/api/v1/right-search/batch"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Credentials:
    """A staff member's HIS credentials: citizen ID (username) and token (password)."""

    cid: str
    token: str

    def authorization(self) -> str:
        """The ``Authorization`` header value: ``Bearer CID#token``."""
        return f"Bearer {self.cid}#{self.token}"


class RightsClient:
    """Calls one server with one staff member's credentials; close it (or use ``with``)."""

    def __init__(
        self,
        server: str,
        credentials: Credentials,
        *,
        lang: str = "th",
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.server = server.rstrip("/")
        headers = {
            "Authorization": credentials.authorization(),
            "Accept": "application/json",
            "Accept-Language": lang,
        }
        self._http = httpx.Client(
            base_url=self.server, headers=headers, timeout=timeout, transport=transport
        )

    def right_search(self, pid: str) -> RightSearchResponse | None:
        """The rights of the person with citizen ID ``pid``; None when nobody has it.

        Raises InvalidCitizenIdError before any request for an invalid ID.
        """
        pid = validate_cid(pid)
        return search_result(self._send("GET", RIGHT_SEARCH, params={"pid": pid}))

    def right_search_batch(self, pids: Sequence[str]) -> BatchResponse:
        """Up to 1,000 citizen IDs in one request: one result or error per ID, in order."""
        body = BatchRequest(pids=list(pids)).model_dump()
        return batch_result(self._send("POST", BATCH, json=body))

    def _send(
        self, method: str, path: str, *, params: dict[str, str] | None = None, json: object = None
    ) -> httpx.Response:
        try:
            return self._http.request(method, path, params=params, json=json)
        except httpx.TransportError as error:
            detail = str(error) or type(error).__name__
            raise ServerUnreachableError(server=self.server, detail=detail) from None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RightsClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def search_result(response: httpx.Response) -> RightSearchResponse | None:
    """The decoded answer of a right search: the document, or None for 404 (nobody)."""
    if response.status_code == 404 and _error_code(response) == "person_not_found":
        return None
    return _decoded(response, RightSearchResponse)


def batch_result(response: httpx.Response) -> BatchResponse:
    """The decoded answer of a batch search."""
    return _decoded(response, BatchResponse)


def _decoded(response: httpx.Response, model: type[M]) -> M:
    raise_for_status(response)
    try:
        return model.model_validate_json(response.content)
    except ValidationError as error:
        raise ServerFailedError(status=response.status_code, detail=str(error)[:200]) from None


def raise_for_status(response: httpx.Response) -> None:
    """The typed error of a refused or failed answer (the one mapping of HTTP statuses)."""
    status = response.status_code
    if status < 300:
        return
    detail = _error_message(response)
    if status in (401, 403):
        raise CredentialsRefusedError(detail=detail)
    if status == 429:
        retry_after = response.headers.get("Retry-After", "")
        raise ThrottledError(
            retry_after=int(retry_after) if retry_after.isdigit() else 1, detail=detail
        )
    if status in (400, 404, 413, 422):
        raise RequestRefusedError(detail=detail)
    raise ServerFailedError(status=status, detail=detail)


def _error_body(response: httpx.Response) -> dict[str, str]:
    """The uniform error body's ``error`` object, or an empty dict."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}


def _error_code(response: httpx.Response) -> str:
    return str(_error_body(response).get("code", ""))


def _error_message(response: httpx.Response) -> str:
    return str(
        _error_body(response).get("message") or response.reason_phrase or response.status_code
    )
