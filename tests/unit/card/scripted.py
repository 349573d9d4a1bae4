"""A fake transport that checks every APDU against a script of exact bytes."""

from __future__ import annotations

from ucauth.card.transport import CardConnection

THAI_ATR = bytes.fromhex("3B79960000544820 4E494420 3138".replace(" ", ""))
ATR_3B67 = bytes.fromhex("3B670000544820 4E494431".replace(" ", ""))


def h(text: str) -> bytes:
    """Bytes from spaced hex: ``h("00 A4 04 00")``."""
    return bytes.fromhex(text.replace(" ", ""))


class ScriptedConnection(CardConnection):
    """Answers each expected command APDU with its scripted ``(data, sw)``; fails on any other."""

    def __init__(self, script: list[tuple[bytes, bytes, int]], atr: bytes = THAI_ATR) -> None:
        self.script = list(script)
        self.sent: list[bytes] = []
        self.closed = False
        self._atr = atr

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        assert self.script, f"unexpected APDU after the script ended: {apdu.hex(' ')}"
        expected, data, sw = self.script.pop(0)
        assert apdu == expected, f"sent {apdu.hex(' ')}, expected {expected.hex(' ')}"
        return data, sw

    def close(self) -> None:
        self.closed = True

    def assert_done(self) -> None:
        assert not self.script, f"{len(self.script)} scripted APDUs were not sent"


class RecordingConnection(CardConnection):
    """Passes APDUs to another connection and records them."""

    def __init__(self, inner: CardConnection) -> None:
        self.inner = inner
        self.sent: list[bytes] = []

    @property
    def atr(self) -> bytes:
        return self.inner.atr

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        return self.inner.transmit(apdu)

    def close(self) -> None:
        self.inner.close()
