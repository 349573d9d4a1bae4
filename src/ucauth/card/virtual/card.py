"""The virtual Thai ID card: answers the same APDUs as the real card, from a profile.

It holds the MOI and NHSO records, the ADM applet (laser ID and the PIN challenge/response) and
the card manager (CPLC data with the chip serial). The PIN retry counter lives in the object, so
it persists across power cycles and reconnects for as long as the object (the process) lives.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from ucauth.card.apdu import SHORT_MAX, SW, SW1, Cla, Ins, get_response_p2, make_sw
from ucauth.card.decode import CPLC_CHIP_ID, TEXT_ENCODING, Field, Moi, Nhso
from ucauth.card.errors import InvalidProfileError
from ucauth.card.pin import CHALLENGE_LENGTH, VERIFY_P1, challenge_response
from ucauth.card.thai_id import AID, CPLC_TAG
from ucauth.card.virtual.profile import CardProfile
from ucauth.randomness import RandomSource, SecureRandom

MOI_RECORD_SIZE = Moi.PICTURE_TAG.end
NHSO_RECORD_SIZE = Nhso.RECORD.end
FCI_TEMPLATE = bytes.fromhex("6F088406")
"""SELECT answers ``61 0A``: this header + the first 6 bytes of the AID."""
ADM_INFO_HEADER = bytes.fromhex("0100") + bytes((0x01, 0x00)) + bytes(3)
"""Version (2), state, authorize, 3 reserved bytes; the 16-byte laser number follows."""
LASER_LENGTH = 16
CPLC_HEADER = bytes((*CPLC_TAG, 0x2A))
CPLC_LENGTH = 45
SELECT_P1 = 0x04
PAD = b" "


@dataclass(frozen=True)
class Command:
    """A parsed short command APDU."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None


def parse_command(apdu: bytes) -> Command | None:
    """The command's parts, or None if its length bytes do not add up."""
    header = 4
    if len(apdu) < header:
        return None
    cla, ins, p1, p2 = apdu[:header]
    body = apdu[header:]
    if not body:
        return Command(cla, ins, p1, p2, b"", None)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, b"", body[0] or SHORT_MAX)
    lc = body[0]
    if lc and len(body) == 1 + lc:
        return Command(cla, ins, p1, p2, body[1:], None)
    if lc and len(body) == 2 + lc:
        return Command(cla, ins, p1, p2, body[1:-1], body[-1] or SHORT_MAX)
    return None


def status(sw: int) -> bytes:
    return sw.to_bytes(2, "big")


def _text(profile: CardProfile, value: str) -> bytes:
    try:
        return value.encode(TEXT_ENCODING)
    except UnicodeEncodeError as error:
        raise InvalidProfileError(
            profile=profile.name, reason=f"not TIS-620 text: {value!r}"
        ) from error


def _put(record: bytearray, field: Field, data: bytes, profile: CardProfile) -> None:
    if len(data) > field.length:
        reason = f"{data[:20]!r}... is {len(data)} bytes, the field holds {field.length}"
        raise InvalidProfileError(profile=profile.name, reason=reason)
    record[field.offset : field.end] = data.ljust(field.length, PAD)


def build_moi_record(profile: CardProfile) -> bytes:
    """The MOI applet's binary record for ``profile``."""
    record = bytearray(MOI_RECORD_SIZE)
    names = (profile.name_th, profile.name_en)
    for field, name in zip((Moi.NAME_TH, Moi.NAME_EN), names, strict=True):
        joined = "#".join((name.prefix, name.first, name.middle, name.last))
        _put(record, field, _text(profile, joined), profile)
    a = profile.address
    address = "#".join((a.house_no, a.moo, a.soi, a.road, a.unused, a.tambon, a.amphoe, a.province))
    texts = {
        Moi.CID: profile.cid,
        Moi.BIRTH_DATE: profile.birth_date,
        Moi.GENDER: profile.gender,
        Moi.ISSUER: profile.issuer,
        Moi.ISSUER_CODE: profile.issuer_code,
        Moi.ISSUE_DATE: profile.issue_date,
        Moi.EXPIRY_DATE: profile.expiry_date,
        Moi.ADDRESS: address,
        Moi.PICTURE_TAG: "",
    }
    for field, value in texts.items():
        _put(record, field, _text(profile, value), profile)
    _put(record, Moi.PHOTO, profile.photo_data, profile)
    return bytes(record)


def build_nhso_record(profile: CardProfile) -> bytes | None:
    """The NHSO applet's binary record, or None when the profile's card has no NHSO applet."""
    n = profile.nhso
    if n is None:
        return None
    record = bytearray(NHSO_RECORD_SIZE)
    texts = {
        Nhso.MAIN_INSCL: n.main_inscl,
        Nhso.SUB_INSCL: n.sub_inscl,
        Nhso.MAIN_HOSPITAL: n.main_hospital,
        Nhso.SUB_HOSPITAL: n.sub_hospital,
        Nhso.PAID_TYPE: n.paid_type,
        Nhso.ISSUE_DATE: n.issue_date,
        Nhso.EXPIRY_DATE: n.expiry_date,
        Nhso.UPDATE_DATE: n.update_date,
        Nhso.CHANGE_HOSPITAL_AMOUNT: n.change_hospital_amount,
    }
    for field, value in texts.items():
        _put(record, field, _text(profile, value), profile)
    return bytes(record)


def build_cplc(chip_serial: str) -> bytes:
    """45 bytes of CPLC data with the chip ID where the reader looks for it."""
    cplc = bytearray(CPLC_HEADER.ljust(CPLC_LENGTH, b"\x00"))
    cplc[CPLC_CHIP_ID] = bytes.fromhex(chip_serial)
    return bytes(cplc)


class VirtualThaiIdCard:
    """A Thai ID card in memory. ``process`` takes a command APDU and returns data + SW."""

    def __init__(self, profile: CardProfile, random: RandomSource | None = None) -> None:
        self.profile = profile
        self.tries_left = profile.pin_tries_left
        self._random = random or SecureRandom()
        self._files: dict[bytes, bytes | None] = {
            AID.MOI.value: build_moi_record(profile),
            AID.ADM.value: None,
            AID.CARD_MANAGER.value: None,
        }
        nhso = build_nhso_record(profile)
        if nhso is not None:
            self._files[AID.NHSO.value] = nhso
        self._get_response_p2 = get_response_p2(profile.atr)
        self._handlers: dict[tuple[int, int], Callable[[Command], bytes]] = {
            (Cla.ISO, Ins.SELECT): self._select,
            (Cla.PROPRIETARY, Ins.READ_BINARY): self._read_binary,
            (Cla.PROPRIETARY, Ins.ADM_READ_INFO): self._adm_info,
            (Cla.PROPRIETARY, Ins.GET_CHALLENGE): self._get_challenge,
            (Cla.PROPRIETARY, Ins.VERIFY): self._verify,
            (Cla.PROPRIETARY, Ins.GET_DATA): self._get_data,
        }
        self.power_on()

    @property
    def atr(self) -> bytes:
        return self.profile.atr

    def power_on(self) -> None:
        """Power-up or reset: nothing selected, nothing pending (the PIN counter stays)."""
        self._selected: bytes | None = None
        self._pending = b""
        self._challenge: bytes | None = None

    def power_off(self) -> None:
        self.power_on()

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU."""
        command = parse_command(apdu)
        if command is None:
            return status(SW.WRONG_LENGTH)
        if (command.cla, command.ins) == (Cla.ISO, Ins.GET_RESPONSE):
            return self._get_response(command)
        self._pending = b""
        handler = self._handlers.get((command.cla, command.ins))
        if handler is None:
            known_class = command.cla in (Cla.ISO, Cla.PROPRIETARY)
            return status(SW.INS_NOT_SUPPORTED if known_class else SW.CLA_NOT_SUPPORTED)
        return handler(command)

    def _answer(self, data: bytes, le: int | None) -> bytes:
        """Data the T=0 way: ``61 xx`` then GET RESPONSE, or directly when Le is right."""
        if le is None:
            self._pending = data
            return status(make_sw(SW1.BYTES_AVAILABLE, len(data)))
        if le != len(data):
            return status(make_sw(SW1.WRONG_LE, len(data)))
        return data + status(SW.OK)

    def _get_response(self, command: Command) -> bytes:
        if command.p1 != 0 or command.p2 != self._get_response_p2:
            return status(SW.INCORRECT_P1P2)
        if command.le is None or command.data:
            return status(SW.WRONG_LENGTH)
        if not self._pending:
            return status(SW.CONDITIONS_NOT_SATISFIED)
        if command.le > len(self._pending):
            return status(make_sw(SW1.WRONG_LE, len(self._pending)))
        data, self._pending = self._pending[: command.le], self._pending[command.le :]
        if self._pending:
            return data + status(make_sw(SW1.BYTES_AVAILABLE, len(self._pending)))
        return data + status(SW.OK)

    def _select(self, command: Command) -> bytes:
        if command.p1 != SELECT_P1 or command.p2 != 0:
            return status(SW.INCORRECT_P1P2)
        if command.data not in self._files:
            return status(SW.FILE_NOT_FOUND)
        self._selected = command.data
        self._challenge = None
        return self._answer(FCI_TEMPLATE + command.data.ljust(6, b"\x00")[:6], command.le)

    def _read_binary(self, command: Command) -> bytes:
        record = self._files.get(self._selected) if self._selected is not None else None
        if record is None:
            return status(SW.COMMAND_NOT_ALLOWED)
        if len(command.data) != 2 or command.le is not None:
            return status(SW.WRONG_LENGTH)
        offset, length = (command.p1 << 8) | command.p2, int.from_bytes(command.data, "big")
        if not 0 < length <= SHORT_MAX:
            return status(SW.WRONG_LENGTH)
        if offset + length > len(record):
            return status(SW.WRONG_P1P2)
        return self._answer(record[offset : offset + length], None)

    def _adm_info(self, command: Command) -> bytes:
        laser = self.profile.laser_id
        if self._selected != AID.ADM.value or laser is None:
            return status(SW.INS_NOT_SUPPORTED)
        return self._answer(
            ADM_INFO_HEADER + laser.encode("ascii").ljust(LASER_LENGTH, b"\x00"), None
        )

    def _get_challenge(self, command: Command) -> bytes:
        if self._selected != AID.ADM.value:
            return status(SW.INS_NOT_SUPPORTED)
        self._challenge = self._random.token_bytes(CHALLENGE_LENGTH)
        return self._answer(self._challenge, command.le)

    def _verify(self, command: Command) -> bytes:
        if self._selected != AID.ADM.value:
            return status(SW.INS_NOT_SUPPORTED)
        if command.p1 != VERIFY_P1 or command.p2 != 0:
            return status(SW.INCORRECT_P1P2)
        if len(command.data) != CHALLENGE_LENGTH or command.le is not None:
            return status(SW.WRONG_LENGTH)
        if self.tries_left == 0:
            return status(SW.AUTH_METHOD_BLOCKED)
        challenge, self._challenge = self._challenge, None
        if challenge is None:
            return status(SW.CONDITIONS_NOT_SATISFIED)
        if hmac.compare_digest(command.data, challenge_response(challenge, self.profile.pin)):
            self.tries_left = self.profile.pin_max_tries
            return status(SW.OK)
        self.tries_left -= 1
        return status(make_sw(SW1.VERIFY_FAILED, self.tries_left))

    def _get_data(self, command: Command) -> bytes:
        if self._selected != AID.CARD_MANAGER.value:
            return status(SW.INS_NOT_SUPPORTED)
        serial = self.profile.chip_serial
        if (command.p1, command.p2) != CPLC_TAG or serial is None:
            return status(SW.REFERENCE_NOT_FOUND)
        return self._answer(build_cplc(serial), command.le)
