"""The Thai ID card application: MOI personal data, NHSO data, laser ID, chip serial, PIN.

A :class:`ThaiIdSession` works on one open connection, so an agent can read the card and then
verify the PIN without reconnecting::

    with pcsc.connect() as connection:
        session = ThaiIdSession(connection)
        card = session.read()
        session.verify_pin(pin)  # one attempt; InvalidPinError carries tries_left
"""

from __future__ import annotations

import logging
from enum import Enum, unique

from ucauth.card.apdu import SW, ApduProtocol, Cla, Ins
from ucauth.card.decode import (
    Field,
    Moi,
    Nhso,
    decode_address,
    decode_chip_serial,
    decode_cid,
    decode_gender,
    decode_laser_id,
    decode_name,
    decode_nhso,
    decode_text,
    parse_be_date,
    trim_photo,
)
from ucauth.card.errors import ApduError, BadResponseError, CardError, NotThaiIdCardError
from ucauth.card.model import NhsoData, ThaiIdCardData
from ucauth.card.pin import AdmPinVerifier, PinVerifier
from ucauth.card.transport import CardConnection

logger = logging.getLogger(__name__)

READ_CHUNK = 0xFF
"""Most bytes one proprietary READ BINARY asks for (its length field is one byte here)."""
ADM_INFO_LE = 0x07
"""Le of the ADM information command, as the public implementations send it."""
CPLC_TAG = (0x9F, 0x7F)
"""GET DATA P1 P2 for the card production life-cycle data."""
ADDRESS_FALLBACK_SW = frozenset({SW.WRONG_P1P2, SW.WRONG_LENGTH})


@unique
class AID(bytes, Enum):
    """Applets of the Thai ID card."""

    MOI = bytes.fromhex("A000000054480001")
    NHSO = bytes.fromhex("A000000054480083")
    ADM = bytes.fromhex("A000000084060002")
    CARD_MANAGER = b""


def is_thai_id_card(connection: CardConnection) -> bool:
    """True if the card answers SELECT of the MOI applet."""
    try:
        ApduProtocol(connection).select(AID.MOI)
    except ApduError:
        return False
    return True


class ThaiIdSession:
    """The Thai ID card on one connection; selecting the MOI applet proves it is one.

    Raises NotThaiIdCardError when the card has no MOI applet.
    """

    def __init__(self, connection: CardConnection, pin_verifier: PinVerifier | None = None) -> None:
        self.protocol = ApduProtocol(connection)
        self._selected: AID | None = None
        try:
            self._select(AID.MOI)
        except ApduError as error:
            raise NotThaiIdCardError() from error
        self._pin_verifier = pin_verifier or AdmPinVerifier(self.protocol, AID.ADM)

    def read(
        self,
        *,
        photo: bool = False,
        nhso: bool = False,
        laser_id: bool = True,
        chip_serial: bool = True,
    ) -> ThaiIdCardData:
        """Read the personal data and, as asked, the photo and the optional extras.

        Text fields take SELECT + 3 READ BINARY/GET RESPONSE pairs; with the photo, the text
        and the photo are read as one contiguous block.
        """
        self._select(AID.MOI)
        if photo:
            block = self.read_binary(Moi.TEXT.offset, Moi.PHOTO.end - Moi.TEXT.offset)
            picture: bytes | None = trim_photo(Moi.PHOTO.take(block, Moi.TEXT.offset))
        else:
            block = self.read_binary(Moi.TEXT.offset, Moi.TEXT.length)
            picture = None
        address = self._read_address()

        def field(f: Field) -> bytes:
            return f.take(block, Moi.TEXT.offset)

        return ThaiIdCardData(
            cid=decode_cid(field(Moi.CID)),
            name_th=decode_name(field(Moi.NAME_TH)),
            name_en=decode_name(field(Moi.NAME_EN)),
            birth_date=parse_be_date(field(Moi.BIRTH_DATE)),
            gender=decode_gender(field(Moi.GENDER)),
            issuer=decode_text(field(Moi.ISSUER)),
            issuer_code=decode_text(field(Moi.ISSUER_CODE)),
            issue_date=parse_be_date(field(Moi.ISSUE_DATE)),
            expiry_date=parse_be_date(field(Moi.EXPIRY_DATE)),
            address=decode_address(address),
            atr=self.protocol.connection.atr,
            photo=picture,
            nhso=self.read_nhso() if nhso else None,
            laser_id=self.read_laser_id() if laser_id else None,
            chip_serial=self.read_chip_serial() if chip_serial else None,
        )

    def read_photo(self) -> bytes:
        """The JPEG photo, padding trimmed."""
        self._select(AID.MOI)
        return trim_photo(self.read_binary(Moi.PHOTO.offset, Moi.PHOTO.length))

    def read_nhso(self) -> NhsoData | None:
        """The NHSO applet's data, or None when the card has no such applet."""
        if not self._try_select(AID.NHSO):
            return None
        return decode_nhso(self.read_binary(Nhso.RECORD.offset, Nhso.RECORD.length))

    def read_laser_id(self) -> str | None:
        """The laser ID from the ADM applet, or None when the card does not give one."""
        if not self._try_select(AID.ADM):
            return None
        info, sw = self.protocol.exchange(
            Cla.PROPRIETARY, Ins.ADM_READ_INFO, 0x00, 0x00, le=ADM_INFO_LE
        )
        if sw != SW.OK:
            logger.debug("no laser ID: SW %04X", sw)
            return None
        return decode_laser_id(info)

    def read_chip_serial(self) -> str | None:
        """The chip ID from the card manager's CPLC data, or None when not available."""
        if not self._try_select(AID.CARD_MANAGER):
            return None
        cplc, sw = self.protocol.exchange(Cla.PROPRIETARY, Ins.GET_DATA, *CPLC_TAG)
        try:
            if sw != SW.OK:
                raise ApduError(sw)
            return decode_chip_serial(cplc)
        except CardError as error:
            logger.debug("no chip serial: %s", error.code)
            return None

    def verify_pin(self, pin: str) -> None:
        """One PIN attempt; see :class:`ucauth.card.pin.PinVerifier`. Never retried."""
        self._selected = None  # the verifier selects its own applet
        self._pin_verifier.verify_pin(pin)

    def read_binary(self, offset: int, length: int) -> bytes:
        """``length`` bytes of the selected applet's record from ``offset``, in 255-byte reads."""
        data = b""
        while len(data) < length:
            position, size = offset + len(data), min(READ_CHUNK, length - len(data))
            chunk = self.protocol.send_apdu(
                Cla.PROPRIETARY,
                Ins.READ_BINARY,
                position >> 8,
                position & 0xFF,
                size.to_bytes(2, "big"),
            )
            if len(chunk) != size:
                raise BadResponseError(
                    detail=f"asked {size} bytes at {position:#06x}, got {len(chunk)}"
                )
            data += chunk
        return data

    def _read_address(self) -> bytes:
        """The 160-byte address field, or the 100 bytes most readers use if the card refuses."""
        try:
            return self.read_binary(Moi.ADDRESS.offset, Moi.ADDRESS.length)
        except ApduError as error:
            if error.sw not in ADDRESS_FALLBACK_SW:
                raise
        return self.read_binary(Moi.ADDRESS_SHORT.offset, Moi.ADDRESS_SHORT.length)

    def _select(self, aid: AID) -> None:
        if self._selected != aid:
            self._selected = None
            self.protocol.select(aid.value)
            self._selected = aid

    def _try_select(self, aid: AID) -> bool:
        try:
            self._select(aid)
        except ApduError as error:
            logger.debug("no applet %s: SW %04X", aid.name, error.sw)
            return False
        return True
