"""PIN verification: the :class:`PinVerifier` interface and the ADM challenge/response scheme.

**Not yet confirmed on a physical card.** The ADM scheme follows the only public implementation
(Advanced-Logic ``verifyPinCode``, itself marked untested); see docs/card.md. Every failed attempt
uses up one of the citizen's tries, so nothing here ever retries: one call, one attempt, and the
tries left are always reported.
"""

from __future__ import annotations

import hashlib
from typing import ClassVar, Protocol

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from ucauth.card.apdu import SW, SW1, ApduProtocol, Cla, Ins, sw1, sw2
from ucauth.card.errors import (
    ApduError,
    BadResponseError,
    InvalidPinError,
    PinBlockedError,
    PinFormatError,
)

PIN_LENGTH = 4
CHALLENGE_LENGTH = 32
KEY_PAD_BYTE = 0xFF
KEY_TEMPLATE = bytes(range(32))
DIGEST_WORD_OFFSETS = (0, 7, 14, 21, 28)
"""Where the five 4-byte words of the SHA-1 digest go in the 32-byte key template."""
DES_BLOCK = 8
ROUNDS = 3
VERIFY_P1 = 0x01
ISO_TRIES_MARK = 0xC0
"""``63 Cx``: the ISO form of "x tries left"; the Thai card is said to send ``63 xx``."""
NIBBLE = 0x0F


class PinVerifier(Protocol):
    """Checks a PIN on the card: returns on success, else raises.

    Raises :class:`InvalidPinError` (with ``tries_left``), :class:`PinBlockedError`, or
    :class:`PinFormatError` (nothing sent to the card). Implementations never retry.
    """

    def verify_pin(self, pin: str) -> None: ...


def pin_bytes(pin: str) -> bytes:
    """The PIN as 4 ASCII digits, or PinFormatError."""
    if len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
        raise PinFormatError()
    return pin.encode("ascii")


def derive_key(pin: str) -> bytes:
    """The 32-byte key: SHA-1 of the PIN padded with FF, spread over the template 00..1F."""
    digest = hashlib.sha1(pin_bytes(pin).ljust(32, bytes((KEY_PAD_BYTE,)))).digest()  # noqa: S324 - the card's scheme
    key = bytearray(KEY_TEMPLATE)
    for word, offset in enumerate(DIGEST_WORD_OFFSETS):
        key[offset : offset + 4] = digest[4 * word : 4 * word + 4]
    return bytes(key)


def challenge_response(challenge: bytes, pin: str) -> bytes:
    """Three rounds of two-key 3DES-CBC (zero IV) over the 32-byte challenge."""
    if len(challenge) != CHALLENGE_LENGTH:
        raise BadResponseError(detail=f"challenge of {len(challenge)} bytes, need 32")
    key = derive_key(pin)
    block = challenge
    for k in range(ROUNDS):
        k1 = key[DES_BLOCK * k : DES_BLOCK * (k + 1)]
        k2 = key[DES_BLOCK * (k + 1) : DES_BLOCK * (k + 2)]
        encryptor = Cipher(TripleDES(k1 + k2 + k1), modes.CBC(bytes(DES_BLOCK))).encryptor()
        block = encryptor.update(block) + encryptor.finalize()
    return block


def check_verify_status(sw: int) -> None:
    """Turn VERIFY's status word into success or the matching PIN error."""
    if sw == SW.OK:
        return
    if sw == SW.AUTH_METHOD_BLOCKED:
        raise PinBlockedError()
    if sw1(sw) == SW1.VERIFY_FAILED:
        tries = sw2(sw)
        if tries & ~NIBBLE == ISO_TRIES_MARK:
            tries &= NIBBLE
        if tries == 0:
            raise PinBlockedError()
        raise InvalidPinError(tries_left=tries)
    raise ApduError(sw)


class AdmPinVerifier:
    """The ADM-applet challenge/response (``80 B4`` challenge, ``80 20 01 00 20`` answer).

    ``confirmed_on_hardware`` is False: this scheme is not yet confirmed on a physical card.
    """

    confirmed_on_hardware: ClassVar[bool] = False

    def __init__(self, protocol: ApduProtocol, adm_aid: bytes) -> None:
        self.protocol = protocol
        self.adm_aid = adm_aid

    def verify_pin(self, pin: str) -> None:
        pin_bytes(pin)  # bad input changes nothing: checked before the card is touched
        self.protocol.select(self.adm_aid)
        challenge, sw = self.protocol.exchange(Cla.PROPRIETARY, Ins.GET_CHALLENGE, 0x00, 0x00)
        if sw == SW.AUTH_METHOD_BLOCKED:
            raise PinBlockedError()
        if sw != SW.OK:
            raise ApduError(sw, challenge)
        answer = challenge_response(challenge, pin)
        _, sw = self.protocol.exchange(Cla.PROPRIETARY, Ins.VERIFY, VERIFY_P1, 0x00, answer)
        check_verify_status(sw)
