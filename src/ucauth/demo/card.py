"""The demo's virtual card, through the real PC/SC stack whenever it can.

In order: the system pcscd when it runs and serves the packaged vpcd reader; else a private
pcscd (needs root, and the machine-wide pcscd lock); else the in-process transport, with the
reason. Without pyscard, pcscd or vpcd the card is always in-process.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ucauth.card.errors import CardError, PyscardMissingError
from ucauth.card.events import CardMonitor, ReaderState
from ucauth.card.transport import CardConnection
from ucauth.card.virtual.card import VirtualThaiIdCard
from ucauth.card.virtual.inprocess import InProcessConnection
from ucauth.card.virtual.pcscd import PrivatePcscd, machine_lock, pcscd_installed, pcscd_pids
from ucauth.card.virtual.vpcd import PACKAGED_PORT, attach
from ucauth.i18n import translate

DEMO_PORT = 31408
"""vpcd port of the demo's private pcscd (and 31409), away from the packaged, test and benchmark
ports, and below every system's ephemeral port range (Linux 32768–60999, macOS and Windows from
49152), where any outgoing connection could be holding it."""
PACKAGED_READER = "Virtual PCD 00 {slot:02X}"
IN_PROCESS_READER = "ucauth In-process Reader 00"
SYSTEM_SOCKET = Path("/run/pcscd/pcscd.comm")
LOCK_TIMEOUT = 30.0
INSERT_TIMEOUT = 5.0


class Transport(StrEnum):
    SYSTEM_PCSCD = "system_pcscd"
    PRIVATE_PCSCD = "private_pcscd"
    IN_PROCESS = "in_process"


@dataclass(frozen=True)
class CardStack:
    """Where the virtual card is: its transport, the PC/SC reader (None in-process), and what
    to tell the user about it."""

    transport: Transport
    card: VirtualThaiIdCard
    reader: str | None
    message: str

    def connect(self, reader: str | None = None) -> CardConnection:
        """A connection to the card, in-process or through PC/SC (``reader`` is ignored: the
        demo has one card)."""
        if self.reader is None:
            return InProcessConnection(self.card)
        from ucauth.card import pcsc

        return pcsc.connect(self.reader)

    def monitor(self) -> CardMonitor:
        """The reader and card events the agent watches: PC/SC's, or the in-process reader's
        (always holding the card)."""
        if self.reader is None:
            return CardMonitor(lambda: _InProcessReader(self.card))
        return CardMonitor()


class _InProcessReader:
    """A status source with one reader, :data:`IN_PROCESS_READER`, that holds the card."""

    def __init__(self, card: VirtualThaiIdCard) -> None:
        self._state = {IN_PROCESS_READER: ReaderState(IN_PROCESS_READER, True, card.atr)}
        self._cancelled = threading.Event()

    def status_change(
        self, known: Mapping[str, ReaderState], timeout: float
    ) -> dict[str, ReaderState]:
        if known.keys() == self._state.keys():
            self._cancelled.wait(timeout)
        return dict(self._state)

    def cancel(self) -> None:
        self._cancelled.set()

    def close(self) -> None:
        pass


@contextlib.contextmanager
def virtual_card(
    card: VirtualThaiIdCard, lang: str, *, lock_timeout: float = LOCK_TIMEOUT
) -> Iterator[CardStack]:
    """``card`` inserted the most realistic way available, removed on exit."""
    reason = _pcsc_missing(lang)
    if reason:
        yield _in_process(card, lang, reason)
        return
    from ucauth.card import pcsc

    if pcscd_pids() or SYSTEM_SOCKET.exists():  # running, or started on demand by systemd
        try:
            states: dict[str, ReaderState] | None = {s.reader: s for s in pcsc.reader_states()}
        except CardError as error:
            if pcscd_pids():
                yield _in_process(card, lang, error.message(lang))
                return
            states = None  # a stale socket: nobody answers, start our own below
        if states is not None:
            for slot in (0, 1):
                state = states.get(PACKAGED_READER.format(slot=slot))
                if state is not None and not state.present:
                    message = translate("demo.system_pcscd", lang, reader=state.reader)
                    with _inserted(card, state.reader, PACKAGED_PORT + slot):
                        yield CardStack(Transport.SYSTEM_PCSCD, card, state.reader, message)
                    return
            yield _in_process(card, lang, translate("demo.foreign_pcscd", lang))
            return
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(machine_lock(lock_timeout))
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="ucauth-demo-"))
            pcscd = stack.enter_context(PrivatePcscd(DEMO_PORT, Path(workdir)))
            reader = pcscd.reader(0)
            stack.enter_context(_inserted(card, reader, pcscd.slot_port(0)))
        except CardError as error:  # PcscdStartError, VpcdUnreachableError, ...
            stack.close()
            failure = error.message(lang)
        else:
            message = translate("demo.private_pcscd", lang, pid=pcscd.pid, reader=reader)
            yield CardStack(Transport.PRIVATE_PCSCD, card, reader, message)
            return
    yield _in_process(card, lang, failure)


def _pcsc_missing(lang: str) -> str:
    """Why PC/SC cannot be used here, or an empty string."""
    try:
        from ucauth.card import pcsc  # noqa: F401 - only whether it imports
    except ImportError:
        return PyscardMissingError().message(lang)
    if not pcscd_installed():
        return translate("demo.no_pcscd", lang)
    return ""


@contextlib.contextmanager
def _inserted(card: VirtualThaiIdCard, reader: str, port: int) -> Iterator[None]:
    from ucauth.card import pcsc

    with attach(card, port):
        pcsc.wait_for_presence(reader, timeout=INSERT_TIMEOUT)
        yield


def _in_process(card: VirtualThaiIdCard, lang: str, reason: str) -> CardStack:
    message = translate("demo.in_process", lang, reason=reason)
    return CardStack(Transport.IN_PROCESS, card, None, message)
