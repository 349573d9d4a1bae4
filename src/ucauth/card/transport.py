"""The transport interface: one method that carries an APDU to the card and its answer back."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from ucauth.card.errors import BadResponseError


class CardConnection(Protocol):
    """A connection to one card.

    ``transmit`` sends one command APDU and returns the response data and the status word
    (``SW1 << 8 | SW2``) as they come from the card: no GET RESPONSE handling here, that is the
    APDU layer's job. Implementations may inherit from this class to get the context manager.
    """

    @property
    def atr(self) -> bytes:
        """The card's answer to reset."""
        ...

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send ``apdu``; return ``(data, sw)``."""
        ...

    def close(self) -> None:
        """Release the card; further use is an error."""
        ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def split_response(response: bytes) -> tuple[bytes, int]:
    """Split a raw R-APDU into its data and status word."""
    if len(response) < 2:
        raise BadResponseError(detail=f"response of {len(response)} bytes has no status word")
    return response[:-2], int.from_bytes(response[-2:], "big")
