"""PC/SC through pyscard: the only module of ucauth that imports ``smartcard``.

Uses pyscard's thin ``smartcard.scard`` layer (one PC/SC call each) and maps PC/SC result codes
to the typed errors of :mod:`ucauth.card.errors`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType
from typing import Self

from smartcard import scard

from ucauth.card.errors import (
    CardCommunicationError,
    CardError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    NotThaiIdCardError,
    PcscUnavailableError,
    ReaderNotFoundError,
)
from ucauth.card.events import ReaderState
from ucauth.card.thai_id import is_thai_id_card
from ucauth.card.transport import CardConnection, split_response

PROTOCOLS = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
SEND_PCI = {
    scard.SCARD_PROTOCOL_T0: scard.SCARD_PCI_T0,
    scard.SCARD_PROTOCOL_T1: scard.SCARD_PCI_T1,
}
RESULT_MASK = 0xFFFFFFFF
MILLISECONDS = 1000
WAIT_STEP = 0.5
REMOVAL_GRACE = 1.0
"""Seconds to wait, after a failed exchange, for pcscd to notice that the card was pulled."""
MIN_RESPONSE = 2

SERVICE_GONE = frozenset(
    {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_INVALID_HANDLE}
)
READER_GONE = frozenset({scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE})
CARD_GONE = frozenset({scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD})
NOTHING_CHANGED = frozenset({scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED})


def _result(hresult: int) -> int:
    return hresult & RESULT_MASK


def error_for(hresult: int, reader: str | None = None) -> CardError:
    """The typed error for a PC/SC result code."""
    code = _result(hresult)
    if code in SERVICE_GONE:
        return PcscUnavailableError()
    if code == scard.SCARD_E_NO_READERS_AVAILABLE:
        return NoReaderError()
    if code in READER_GONE:
        return ReaderNotFoundError(reader) if reader else NoReaderError()
    if code == scard.SCARD_E_NO_SMARTCARD:
        return NoCardError()
    if code == scard.SCARD_W_REMOVED_CARD:
        return CardRemovedError()
    return CardCommunicationError(detail=f"{scard.SCardGetErrorMessage(hresult)} (0x{code:08X})")


def _check(hresult: int, reader: str | None = None) -> None:
    if _result(hresult) != scard.SCARD_S_SUCCESS:
        raise error_for(hresult, reader)


class PcscContext:
    """One PC/SC context: lists readers and waits for changes (connections use it too)."""

    def __init__(self) -> None:
        hresult, self._handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if _result(hresult) != scard.SCARD_S_SUCCESS:
            raise PcscUnavailableError()

    def readers(self) -> list[str]:
        """Names of the connected readers (empty when there are none)."""
        hresult, readers = scard.SCardListReaders(self._handle, [])
        if _result(hresult) == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        _check(hresult)
        return list(readers)

    def status_change(
        self, known: Mapping[str, ReaderState], timeout: float
    ) -> dict[str, ReaderState]:
        """Wait up to ``timeout`` s for a change from ``known``; return every reader's state."""
        readers = self.readers()
        if not readers:
            return {}
        wait_ms = int(timeout * MILLISECONDS) if set(readers) == set(known) else 0
        query = [
            (r, known[r].event_state if r in known else scard.SCARD_STATE_UNAWARE) for r in readers
        ]
        hresult, states = scard.SCardGetStatusChange(self._handle, wait_ms, query)
        code = _result(hresult)
        if code in NOTHING_CHANGED or code in READER_GONE:
            return {r: known[r] for r in readers if r in known}
        _check(hresult)
        return {
            name: ReaderState(
                reader=name,
                present=bool(event & scard.SCARD_STATE_PRESENT),
                atr=bytes(atr),
                event_state=event & ~scard.SCARD_STATE_CHANGED,
            )
            for name, event, atr in states
        }

    def cancel(self) -> None:
        """Make a blocked ``status_change`` return (from another thread)."""
        scard.SCardCancel(self._handle)

    def close(self) -> None:
        """Release the context."""
        scard.SCardReleaseContext(self._handle)

    @property
    def handle(self) -> int:
        return int(self._handle)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class PcscConnection(CardConnection):
    """The card in ``reader`` (shared mode, T=0 or T=1). Closing it also closes its context
    when it owns one."""

    def __init__(self, context: PcscContext, reader: str, *, owns_context: bool = False) -> None:
        self.reader = reader
        self._context = context
        self._owns_context = owns_context
        hresult, self._card, protocol = scard.SCardConnect(
            context.handle, reader, scard.SCARD_SHARE_SHARED, PROTOCOLS
        )
        _check(hresult, reader)
        self._pci = SEND_PCI[protocol]
        hresult, _, _, _, atr = scard.SCardStatus(self._card)
        _check(hresult, reader)
        self._atr = bytes(atr)

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        hresult, response = scard.SCardTransmit(self._card, self._pci, list(apdu))
        code = _result(hresult)
        if code in CARD_GONE or code in SERVICE_GONE:
            raise error_for(hresult, self.reader)
        if code != scard.SCARD_S_SUCCESS or len(response) < MIN_RESPONSE:
            # vpcd (and some readers) report a card pulled mid-command as an empty answer or a
            # failed transaction; pcscd notices the removal only at its next presence poll.
            if self._card_gone():
                raise CardRemovedError()
            _check(hresult, self.reader)
        return split_response(bytes(response))

    def disconnect(self) -> None:
        """Release the card but keep the context."""
        scard.SCardDisconnect(self._card, scard.SCARD_LEAVE_CARD)

    def close(self) -> None:
        self.disconnect()
        if self._owns_context:
            self._context.close()

    def _card_gone(self) -> bool:
        """True if the card leaves the reader within :data:`REMOVAL_GRACE` seconds."""
        states = self._context.status_change({}, 0)
        if self.reader in states and states[self.reader].present:
            states = self._context.status_change(states, REMOVAL_GRACE)
        state = states.get(self.reader)
        return state is None or not state.present


def list_readers() -> list[str]:
    """Names of the connected readers."""
    with PcscContext() as context:
        return context.readers()


def reader_states() -> list[ReaderState]:
    """Every reader with whether it holds a card, and the card's ATR."""
    with PcscContext() as context:
        return list(context.status_change({}, 0).values())


def wait_for_presence(reader: str, present: bool = True, timeout: float = 5.0) -> ReaderState:
    """Wait until ``reader`` holds a card (or, with ``present=False``, is empty).

    Raises NoCardError (or CardError when waiting for removal) after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    with PcscContext() as context:
        known: dict[str, ReaderState] = {}
        while True:
            known = context.status_change(
                known, max(0.0, min(WAIT_STEP, deadline - time.monotonic()))
            )
            state = known.get(reader)
            if state is not None and state.present == present:
                return state
            if time.monotonic() >= deadline:
                if present:
                    raise NoCardError()
                raise CardCommunicationError(detail=f"card still in {reader} after {timeout} s")


def connect(reader: str | None = None) -> PcscConnection:
    """Connect to the card in ``reader``; with no name, to the reader holding a Thai ID card.

    Every reader is tried, since one device can show up as several readers. Raises
    PcscUnavailableError, NoReaderError / ReaderNotFoundError, NoCardError or NotThaiIdCardError.
    """
    context = PcscContext()
    try:
        readers = context.readers()
        if not readers:
            raise NoReaderError()
        if reader is not None:
            if reader not in readers:
                raise ReaderNotFoundError(reader)
            return PcscConnection(context, reader, owns_context=True)
        return _find_thai_id_card(context, readers)
    except BaseException:
        context.close()
        raise


def _find_thai_id_card(context: PcscContext, readers: list[str]) -> PcscConnection:
    seen_card = False
    for name in readers:
        try:
            connection = PcscConnection(context, name, owns_context=True)
        except (NoCardError, CardCommunicationError):
            continue
        seen_card = True
        if is_thai_id_card(connection):
            return connection
        connection.disconnect()
    raise NotThaiIdCardError() if seen_card else NoCardError()
