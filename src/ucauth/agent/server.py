"""The agent's HTTP client of the central server: enrolment, challenges, account status, login,
logout, health and the REST rights lookup made with the clerk's token.

Refusals become the agent's typed errors (by the server's error code); no answer at all is
:class:`ServerUnreachableError`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from ucauth.accounts.schemas import EnrolResponse
from ucauth.agent.errors import (
    AccountNotRegisteredError,
    AccountPendingError,
    AccountRevokedError,
    AccountSuspendedError,
    AgentDisabledError,
    AgentError,
    AgentUnknownError,
    CardExpiredError,
    EnrolmentRefusedError,
    ServerRefusedError,
    ServerUnreachableError,
    SessionEndedError,
    TooManyAttemptsError,
)
from ucauth.client.rights import RIGHT_SEARCH
from ucauth.rights.rest import RightSearchResponse
from ucauth.tokens.protocol import (
    NONCE_BYTES,
    SignedAccountStatusQuery,
    SignedLogin,
    decode_b64,
    encode_b64,
)
from ucauth.tokens.schemas import (
    AccountStatusResponse,
    ChallengeResponse,
    LoginResponse,
    SessionInfo,
)

M = TypeVar("M", bound=BaseModel)


def _refusal(code: str, message: str, access_request_url: str) -> AgentError:
    """The agent's error for a server refusal ``code``."""
    accounts = {
        "account_not_registered": AccountNotRegisteredError,
        "account_pending": AccountPendingError,
        "account_revoked": AccountRevokedError,
        "account_suspended": AccountSuspendedError,
    }
    if code in accounts:
        return accounts[code](access_request_url=access_request_url)
    simple: dict[str, Callable[[], AgentError]] = {
        "agent_unknown": AgentUnknownError,
        "agent_disabled": AgentDisabledError,
        "enrolment_code_invalid": EnrolmentRefusedError,
        "card_expired": lambda: CardExpiredError(expiry="-"),
    }
    if code in simple:
        return simple[code]()
    return ServerRefusedError(reason=code or "unknown", detail=message)


class ServerClient:
    """One server, through one connection pool. ``http`` replaces the pool (tests pass an app's
    TestClient); its base URL must then be the server's."""

    def __init__(
        self, server_url: str, *, timeout: float = 5.0, http: httpx.Client | None = None
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self._http = http or httpx.Client(base_url=self.server_url, timeout=timeout)
        self._owns_http = http is None

    @property
    def access_request_url(self) -> str:
        return f"{self.server_url}/access-request"

    def healthz(self) -> None:
        """Returns when the server answers its liveness check."""
        self._send("GET", "/healthz")

    def enroll(self, code: str, name: str, public_key: bytes) -> EnrolResponse:
        body = {"code": code, "name": name, "public_key": encode_b64(public_key)}
        return self._call("POST", "/api/v1/agents/enroll", EnrolResponse, json=body)

    def challenge(self, agent_id: int, cid: str) -> bytes:
        """A fresh single-use nonce for ``cid``."""
        answer = self._call(
            "POST",
            "/api/v1/auth/challenge",
            ChallengeResponse,
            json={"agent_id": agent_id, "cid": cid},
        )
        return decode_b64(answer.nonce, NONCE_BYTES, "nonce")

    def account_status(self, signed: SignedAccountStatusQuery) -> AccountStatusResponse:
        return self._call(
            "POST", "/api/v1/auth/account-status", AccountStatusResponse, json=signed.to_json()
        )

    def login(self, signed: SignedLogin) -> LoginResponse:
        return self._call("POST", "/api/v1/auth/login", LoginResponse, json=signed.to_json())

    def me(self, cid: str, token: str) -> SessionInfo:
        """Whose token it is; SessionEndedError (or an AccountError) when it no longer works."""
        return self._call("GET", "/api/v1/me", SessionInfo, headers=_bearer(cid, token))

    def logout(self, cid: str, token: str) -> None:
        self._send("POST", "/api/v1/auth/logout", headers=_bearer(cid, token))

    def right_search(self, cid: str, token: str, pid: str) -> RightSearchResponse | None:
        """The rights of ``pid`` looked up with the clerk's credentials; None when unknown."""
        try:
            return self._call(
                "GET",
                RIGHT_SEARCH,
                RightSearchResponse,
                params={"pid": pid},
                headers=_bearer(cid, token),
            )
        except ServerRefusedError as error:
            if error.params.get("reason") == "person_not_found":
                return None
            raise

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            response = self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TransportError:
            raise ServerUnreachableError(server_url=self.server_url) from None
        if response.status_code >= 300:
            raise self._error(response)
        return response

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        json: object = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> M:
        response = self._send(method, path, json=json, params=params, headers=headers)
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            raise ServerRefusedError(
                reason="bad_answer", detail=f"{method} {path}: {response.status_code}"
            ) from None

    def _error(self, response: httpx.Response) -> AgentError:
        if response.status_code >= 500:
            return ServerUnreachableError(server_url=self.server_url)
        try:
            error = response.json().get("error") or {}
            code, message = str(error.get("code", "")), str(error.get("message", ""))
        except (ValueError, AttributeError):
            code, message = "", response.text[:200]
        if response.status_code == 401:
            return SessionEndedError()
        if response.status_code == 429:
            retry = response.headers.get("Retry-After", "")
            return TooManyAttemptsError(retry_after=int(retry) if retry.isdigit() else 1)
        return _refusal(code, message, self.access_request_url)


def _bearer(cid: str, token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {cid}#{token}"}
