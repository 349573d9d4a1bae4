"""The APDU protocol layer: command encoding, status words, response chaining, traffic log.

Above the transport's raw ``transmit``, :class:`ApduProtocol` answers ``61 xx`` with GET
RESPONSE (Le = SW2; P2 = ``01`` for cards whose ATR starts ``3B 67``, else ``00``), re-sends a
command once with Le = SW2 on ``6C xx``, and logs every exchange at :data:`TRAFFIC` (below DEBUG)
with the data of PIN commands redacted.
"""

from __future__ import annotations

import logging
from enum import IntEnum, unique

from ucauth.card.errors import ApduError, ApplicationNotAvailableError, BadResponseError
from ucauth.card.transport import CardConnection

TRAFFIC = 5
"""Log level of the APDU traffic dump, below DEBUG."""
logging.addLevelName(TRAFFIC, "TRAFFIC")
logger = logging.getLogger(__name__)

SHORT_MAX = 256
"""Most data one short APDU carries; Le = 256 is encoded as ``00``."""
MAX_RESPONSE = 0x10000
"""Longest response we accept by GET RESPONSE chaining before calling the card broken."""
ATR_GET_RESPONSE_P2_01 = bytes.fromhex("3B67")
"""Cards whose ATR starts with these bytes want GET RESPONSE with P2 = 01."""


@unique
class Cla(IntEnum):
    """Instruction classes."""

    ISO = 0x00
    PROPRIETARY = 0x80


@unique
class Ins(IntEnum):
    """Instructions used by the Thai ID card (and the PIN commands whose data we redact)."""

    ADM_READ_INFO = 0x00
    VERIFY = 0x20
    CHANGE_REFERENCE_DATA = 0x24
    RESET_RETRY_COUNTER = 0x2C
    SELECT = 0xA4
    READ_BINARY = 0xB0
    GET_CHALLENGE = 0xB4
    GET_RESPONSE = 0xC0
    GET_DATA = 0xCA


REDACTED_INS = frozenset({Ins.VERIFY, Ins.CHANGE_REFERENCE_DATA, Ins.RESET_RETRY_COUNTER})
"""Commands whose data field carries PIN material and is never logged."""


@unique
class SW(IntEnum):
    """Complete status words."""

    OK = 0x9000
    WRONG_LENGTH = 0x6700
    AUTH_METHOD_BLOCKED = 0x6983
    CONDITIONS_NOT_SATISFIED = 0x6985
    COMMAND_NOT_ALLOWED = 0x6986
    FILE_NOT_FOUND = 0x6A82
    INCORRECT_P1P2 = 0x6A86
    REFERENCE_NOT_FOUND = 0x6A88
    WRONG_P1P2 = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    APPLET_SELECT_FAILED = 0x6999


@unique
class SW1(IntEnum):
    """Status-word families identified by their first byte; SW2 is a parameter."""

    BYTES_AVAILABLE = 0x61
    VERIFY_FAILED = 0x63
    WRONG_LE = 0x6C


SELECT_BY_AID = 0x04
"""SELECT P1: select by DF name (AID)."""
APPLICATION_MISSING = frozenset({SW.FILE_NOT_FOUND, SW.APPLET_SELECT_FAILED})


def sw1(sw: int) -> int:
    """The first byte of a status word."""
    return sw >> 8


def sw2(sw: int) -> int:
    """The second byte of a status word."""
    return sw & 0xFF


def make_sw(first: SW1, second: int) -> int:
    """The status word ``first second`` (``second`` taken modulo 256, so 256 becomes ``00``)."""
    return (first << 8) | (second % SHORT_MAX)


def length_from_sw2(sw: int) -> int:
    """The length a ``61 xx`` or ``6C xx`` status word announces (``00`` means 256)."""
    return sw2(sw) or SHORT_MAX


def encode_apdu(
    cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None
) -> bytes:
    """A short command APDU; ``le=None`` leaves Le out, ``le=256`` is encoded as ``00``."""
    if len(data) >= SHORT_MAX:
        raise ValueError(f"command data of {len(data)} bytes does not fit a short APDU")
    if le is not None and not 1 <= le <= SHORT_MAX:
        raise ValueError(f"Le must be 1..{SHORT_MAX}, not {le}")
    apdu = bytes((cla, ins, p1, p2))
    if data:
        apdu += bytes((len(data),)) + data
    if le is not None:
        apdu += bytes((le % SHORT_MAX,))
    return apdu


def redact(apdu: bytes) -> str:
    """Hex dump of a command APDU, with the data of PIN commands replaced by its length."""
    header_and_lc = 5
    if len(apdu) > header_and_lc and apdu[1] in REDACTED_INS:
        return (
            f"{apdu[:header_and_lc].hex(' ').upper()} <{len(apdu) - header_and_lc} bytes redacted>"
        )
    return apdu.hex(" ").upper()


def get_response_p2(atr: bytes) -> int:
    """P2 of GET RESPONSE for a card with this ATR (the ``3B 67`` quirk)."""
    return 0x01 if atr.startswith(ATR_GET_RESPONSE_P2_01) else 0x00


class ApduProtocol:
    """Commands and responses over a :class:`CardConnection`.

    ``exchanges`` counts the APDUs actually transmitted (GET RESPONSEs and re-sends included).
    """

    def __init__(self, connection: CardConnection) -> None:
        self.connection = connection
        self.exchanges = 0
        self._get_response_p2 = get_response_p2(connection.atr)

    def send_apdu(
        self, cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None
    ) -> bytes:
        """Send a command and return its complete response data; raise ApduError unless 90 00."""
        response, sw = self.exchange(cla, ins, p1, p2, data, le)
        if sw != SW.OK:
            raise ApduError(sw, response)
        return response

    def exchange(
        self, cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None
    ) -> tuple[bytes, int]:
        """Send a command, follow ``6C xx`` and ``61 xx``; return the data and final SW.

        A PIN command is never re-sent, whatever its status word.
        """
        response, sw = self._transmit(encode_apdu(cla, ins, p1, p2, data, le))
        if sw1(sw) == SW1.WRONG_LE and ins not in REDACTED_INS:
            response, sw = self._transmit(encode_apdu(cla, ins, p1, p2, data, length_from_sw2(sw)))
        while sw1(sw) == SW1.BYTES_AVAILABLE:
            chunk, sw = self._get_response(length_from_sw2(sw))
            response += chunk
            if len(response) > MAX_RESPONSE:
                raise BadResponseError(detail=f"response longer than {MAX_RESPONSE} bytes")
        return response, sw

    def select(self, aid: bytes) -> bytes:
        """Select an applet by AID (empty: the card manager); raise if the card lacks it.

        ``61 xx`` counts as success without fetching the FCI.
        """
        response, sw = self._transmit(encode_apdu(Cla.ISO, Ins.SELECT, SELECT_BY_AID, 0x00, aid))
        if sw1(sw) == SW1.BYTES_AVAILABLE:
            return response  # the FCI is not needed: one exchange, as the reference readers do
        if sw in APPLICATION_MISSING:
            raise ApplicationNotAvailableError(sw, response)
        if sw != SW.OK:
            raise ApduError(sw, response)
        return response

    def _get_response(self, length: int) -> tuple[bytes, int]:
        command = encode_apdu(Cla.ISO, Ins.GET_RESPONSE, 0x00, self._get_response_p2, le=length)
        data, sw = self._transmit(command)
        if sw1(sw) == SW1.WRONG_LE:
            command = encode_apdu(
                Cla.ISO, Ins.GET_RESPONSE, 0x00, self._get_response_p2, le=length_from_sw2(sw)
            )
            data, sw = self._transmit(command)
        if sw1(sw) == SW1.BYTES_AVAILABLE and not data:
            raise BadResponseError(detail="GET RESPONSE returned no data but more to come")
        return data, sw

    def _transmit(self, apdu: bytes) -> tuple[bytes, int]:
        if logger.isEnabledFor(TRAFFIC):
            logger.log(TRAFFIC, "> %s", redact(apdu))
        data, sw = self.connection.transmit(apdu)
        self.exchanges += 1
        if logger.isEnabledFor(TRAFFIC):
            logger.log(TRAFFIC, "< %s %04X", data.hex(" ").upper(), sw)
        return data, sw
