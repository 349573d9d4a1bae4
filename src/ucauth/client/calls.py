"""The client's calls without I/O: each is a request to send and a function that decodes the
answer into a typed result or raises a typed error, shared by the sync and async clients."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from ucauth.cid import validate_cid
from ucauth.client.errors import (
    CredentialsRefusedError,
    RequestRefusedError,
    ServerFailedError,
    ThrottledError,
)
from ucauth.client.soap import SoapRights, parse_search_response, search_envelope
from ucauth.rights.rest import RightSearchResponse
from ucauth.rights.schemas import BatchRequest, BatchResponse
from ucauth.rights.soap.documents import CONTENT_TYPE
from ucauth.tokens.schemas import VerifyResponse

RIGHT_SEARCH = "/api/ucws/v1/right-search"
BATCH = "/api/v1/right-search/batch"
VERIFY = "/api/v1/auth/verify"
ME = "/api/v1/me"
SOAP = "/ucwstokenp1/UCWSTokenP1"
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Credentials:
    """A staff member's HIS credentials: citizen ID (username) and token (password)."""

    cid: str
    token: str

    def authorization(self) -> str:
        """The ``Authorization`` header value: ``Bearer CID#token``."""
        return f"Bearer {self.cid}#{self.token}"

    @classmethod
    def from_line(cls, line: str) -> Credentials:
        """Credentials from a ``CID#token`` line (``nhso_token.txt``); ValueError otherwise."""
        cid, separator, token = line.strip().partition("#")
        if not separator or not cid or not token:
            raise ValueError("not a CID#token line")
        return cls(cid, token)


@dataclass(frozen=True)
class Call(Generic[T]):
    """One HTTP request and the decoder of its answer."""

    method: str
    path: str
    decode: Callable[[httpx.Response], T]
    params: dict[str, str] | None = None
    json: object = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def right_search(pid: str) -> Call[RightSearchResponse | None]:
    """REST ``right-search``: the person's rights, None when nobody has the ID."""
    return Call("GET", RIGHT_SEARCH, search_result, params={"pid": validate_cid(pid)})


def right_search_batch(pids: Sequence[str]) -> Call[BatchResponse]:
    """Up to 1,000 IDs in one request: one result or error per ID, in order."""
    body = BatchRequest(pids=list(pids)).model_dump()
    return Call("POST", BATCH, batch_result, json=body)


def verify(credentials: Credentials) -> Call[VerifyResponse]:
    """Check a log-on's username (CID) and password (token): whose token, until when."""
    body = {"username": credentials.cid, "password": credentials.token}
    return Call("POST", VERIFY, lambda r: decoded(r, VerifyResponse), json=body)


def soap_search(credentials: Credentials, pid: str) -> Call[SoapRights | None]:
    """SOAP ``searchCurrentByPID``, as HIS send it: None when nobody has the ID."""
    envelope = search_envelope(credentials.cid, credentials.token, validate_cid(pid))
    headers = {"Content-Type": CONTENT_TYPE, "SOAPAction": '""'}
    return Call("POST", SOAP, soap_result, content=envelope, headers=headers)


def search_result(response: httpx.Response) -> RightSearchResponse | None:
    """The decoded answer of a right search: the document, or None for 404 (nobody)."""
    if response.status_code == 404 and _error_code(response) == "person_not_found":
        return None
    return decoded(response, RightSearchResponse)


def batch_result(response: httpx.Response) -> BatchResponse:
    """The decoded answer of a batch search."""
    return decoded(response, BatchResponse)


def soap_result(response: httpx.Response) -> SoapRights | None:
    """The decoded SOAP answer; ``NHSO-00003`` raises CredentialsRefusedError, or
    ThrottledError when it comes with ``Retry-After``; a Fault raises ServerFailedError."""
    rights = parse_search_response(response.status_code, response.content)
    if rights.token_refused:
        retry_after = response.headers.get("Retry-After", "")
        if retry_after.isdigit():
            raise ThrottledError(retry_after=int(retry_after), detail=rights.ws_status_desc)
        raise CredentialsRefusedError(detail=rights.ws_status_desc)
    return rights if rights.found else None


def decoded(response: httpx.Response, model: type[M]) -> M:
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
