"""Typed clients of a ucauth server's rights service, sync and async (httpx).

Both take one staff member's credentials and offer the same calls (:mod:`ucauth.client.calls`):
``right_search`` (REST), ``soap_search`` (SOAP, as HIS call NHSO), ``right_search_batch``,
``verify`` (check a log-on). Results are the server's own pydantic models, or
:class:`ucauth.client.soap.SoapRights`; failures are :mod:`ucauth.client.errors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Self, TypeVar

import httpx

from ucauth.client import calls
from ucauth.client.calls import RIGHT_SEARCH as RIGHT_SEARCH  # the agent's import
from ucauth.client.calls import Call, Credentials
from ucauth.client.errors import ServerUnreachableError
from ucauth.client.soap import SoapRights
from ucauth.rights.rest import RightSearchResponse
from ucauth.rights.schemas import BatchResponse
from ucauth.tokens.schemas import VerifyResponse

DEFAULT_SERVER = "http://127.0.0.1:8000"
T = TypeVar("T")


class _Base:
    def __init__(self, server: str, credentials: Credentials, lang: str) -> None:
        self.server = server.rstrip("/")
        self.credentials = credentials
        self.headers = {
            "Authorization": credentials.authorization(),
            "Accept": "application/json",
            "Accept-Language": lang,
        }

    def _unreachable(self, error: httpx.TransportError) -> ServerUnreachableError:
        detail = str(error) or type(error).__name__
        return ServerUnreachableError(server=self.server, detail=detail)


class RightsClient(_Base):
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
        super().__init__(server, credentials, lang)
        self._http = httpx.Client(
            base_url=self.server, headers=self.headers, timeout=timeout, transport=transport
        )

    def right_search(self, pid: str) -> RightSearchResponse | None:
        """The rights of the person with citizen ID ``pid`` (REST); None when nobody has it.

        Raises InvalidCitizenIdError before any request for an invalid ID.
        """
        return self.call(calls.right_search(pid))

    def soap_search(self, pid: str) -> SoapRights | None:
        """The same over SOAP ``searchCurrentByPID``; None when nobody has the ID."""
        return self.call(calls.soap_search(self.credentials, pid))

    def right_search_batch(self, pids: Sequence[str]) -> BatchResponse:
        """Up to 1,000 citizen IDs in one request: one result or error per ID, in order."""
        return self.call(calls.right_search_batch(pids))

    def verify(self, credentials: Credentials | None = None) -> VerifyResponse:
        """Check a log-on (default: this client's own credentials): whose token, until when."""
        return self.call(calls.verify(credentials or self.credentials))

    def call(self, call: Call[T]) -> T:
        """Send ``call`` and decode its answer."""
        try:
            response = self._http.request(
                call.method,
                call.path,
                params=call.params,
                json=call.json,
                content=call.content,
                headers=call.headers,
            )
        except httpx.TransportError as error:
            raise self._unreachable(error) from None
        return call.decode(response)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncRightsClient(_Base):
    """:class:`RightsClient` for asyncio: the same calls, awaited; ``async with`` closes it."""

    def __init__(
        self,
        server: str,
        credentials: Credentials,
        *,
        lang: str = "th",
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(server, credentials, lang)
        self._http = httpx.AsyncClient(
            base_url=self.server, headers=self.headers, timeout=timeout, transport=transport
        )

    async def right_search(self, pid: str) -> RightSearchResponse | None:
        return await self.call(calls.right_search(pid))

    async def soap_search(self, pid: str) -> SoapRights | None:
        return await self.call(calls.soap_search(self.credentials, pid))

    async def right_search_batch(self, pids: Sequence[str]) -> BatchResponse:
        return await self.call(calls.right_search_batch(pids))

    async def verify(self, credentials: Credentials | None = None) -> VerifyResponse:
        return await self.call(calls.verify(credentials or self.credentials))

    async def call(self, call: Call[T]) -> T:
        try:
            response = await self._http.request(
                call.method,
                call.path,
                params=call.params,
                json=call.json,
                content=call.content,
                headers=call.headers,
            )
        except httpx.TransportError as error:
            raise self._unreachable(error) from None
        return call.decode(response)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
