"""Attaching a virtual card to pcscd's vpcd reader driver over TCP.

vpcd listens on a TCP port per reader slot (``CHANNELID`` for slot ``00 00``, ``+1`` for
``00 01``); a card is inserted when a client connects and removed when it disconnects. Each
message is a 2-byte big-endian length and that many bytes: one byte is a control code (power
off/on, reset, get ATR), more is a command APDU to answer. ``TCP_QUICKACK`` is re-armed after
every receive: Debian's vpcd sends the length and the payload in two writes, and without it each
APDU waits ~44 ms for a delayed ACK.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from enum import IntEnum, unique
from types import TracebackType
from typing import Protocol, Self

from ucauth.card.errors import VpcdUnreachableError

logger = logging.getLogger(__name__)

LOCALHOST = "127.0.0.1"
PACKAGED_PORT = 0x8C7B
"""``CHANNELID`` of Debian's ``/etc/reader.conf.d/vpcd`` (35963): reader ``Virtual PCD 00 00``."""
LENGTH_BYTES = 2
CONNECT_TIMEOUT = 5.0
JOIN_TIMEOUT = 5.0
TCP_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # Linux only


@unique
class Control(IntEnum):
    """One-byte control messages from vpcd."""

    POWER_OFF = 0x00
    POWER_ON = 0x01
    RESET = 0x02
    GET_ATR = 0x04


class VirtualCard(Protocol):
    """What vpcd needs from a card: an ATR, power control and APDU answers."""

    @property
    def atr(self) -> bytes: ...

    def power_on(self) -> None: ...

    def power_off(self) -> None: ...

    def process(self, apdu: bytes) -> bytes: ...


class VpcdLink:
    """One virtual card's connection to a vpcd reader slot."""

    def __init__(self, card: VirtualCard, port: int = PACKAGED_PORT, host: str = LOCALHOST) -> None:
        self.card = card
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def connect(self, timeout: float = CONNECT_TIMEOUT) -> None:
        """Connect (insert the card); VpcdUnreachableError when nothing listens."""
        try:
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
        except OSError as error:
            raise VpcdUnreachableError(host=self.host, port=self.port) from error
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._sock = sock

    def serve(self) -> None:
        """Answer vpcd until the connection ends (card removed or pcscd gone).

        Returns at once when not connected.
        """
        sock = self._sock
        if sock is None:
            return
        try:
            while True:
                message = self._receive(sock)
                if message is None:
                    break
                reply = self._handle(message)
                if reply is not None:
                    sock.sendall(len(reply).to_bytes(LENGTH_BYTES, "big") + reply)
        except OSError as error:
            logger.debug("vpcd link on port %d ended: %s", self.port, error)
        finally:
            self.remove()

    def remove(self) -> None:
        """Disconnect (remove the card). Safe from any thread, and more than once."""
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):  # already disconnected by the other side
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _handle(self, message: bytes) -> bytes | None:
        if len(message) != 1:
            return self.card.process(message)
        code = message[0]
        if code == Control.GET_ATR:
            return self.card.atr
        if code in (Control.POWER_ON, Control.RESET):
            self.card.power_on()
        elif code == Control.POWER_OFF:
            self.card.power_off()
        else:
            logger.debug("vpcd: unknown control code %#04x", code)
        return None

    def _receive(self, sock: socket.socket) -> bytes | None:
        header = self._receive_exactly(sock, LENGTH_BYTES)
        if header is None:
            return None
        return self._receive_exactly(sock, int.from_bytes(header, "big"))

    @staticmethod
    def _receive_exactly(sock: socket.socket, size: int) -> bytes | None:
        data = b""
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if TCP_QUICKACK is not None:
                sock.setsockopt(socket.IPPROTO_TCP, TCP_QUICKACK, 1)
            if not chunk:
                return None
            data += chunk
        return data


class AttachedCard:
    """A virtual card served by a background thread until ``remove()``."""

    def __init__(self, link: VpcdLink) -> None:
        self.link = link
        self._thread = threading.Thread(
            target=link.serve, name=f"ucauth-vpcd-{link.port}", daemon=True
        )
        self._thread.start()

    @property
    def inserted(self) -> bool:
        return self.link.connected

    def remove(self) -> None:
        """Take the card out and wait for its thread to end."""
        self.link.remove()
        self._thread.join(JOIN_TIMEOUT)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()


def attach(card: VirtualCard, port: int = PACKAGED_PORT, host: str = LOCALHOST) -> AttachedCard:
    """Insert ``card`` into the vpcd slot on ``port`` and serve it in a background thread."""
    link = VpcdLink(card, port, host)
    link.connect()
    return AttachedCard(link)
