"""A transport straight to a virtual card in the same process (unit tests, no pcscd)."""

from __future__ import annotations

from ucauth.card.errors import CardRemovedError
from ucauth.card.transport import CardConnection, split_response
from ucauth.card.virtual.vpcd import VirtualCard


class InProcessConnection(CardConnection):
    """A :class:`CardConnection` that hands each APDU to ``card.process``; powers it on first."""

    def __init__(self, card: VirtualCard) -> None:
        self.card = card
        self._open = True
        card.power_on()

    @property
    def atr(self) -> bytes:
        return self.card.atr

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        if not self._open:
            raise CardRemovedError()
        return split_response(self.card.process(apdu))

    def close(self) -> None:
        if self._open:
            self._open = False
            self.card.power_off()
