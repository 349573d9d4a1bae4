"""Typed errors of the card library, each with a stable code and a catalog message."""

from __future__ import annotations

from ucauth.errors import UcauthError


class CardError(UcauthError):
    """Any failure talking to a card reader or a card."""

    code = "card_error"
    message_key = "card.error"


class PcscUnavailableError(CardError):
    """The PC/SC service (pcscd, or Windows' Smart Card service) is not running."""

    code = "pcsc_unavailable"
    message_key = "card.pcsc_unavailable"


class PyscardMissingError(PcscUnavailableError):
    """pyscard (the ``pcsc`` extra) is not installed, so PC/SC cannot be used."""

    code = "pyscard_missing"
    message_key = "card.pyscard_missing"


class NoReaderError(CardError):
    """No card reader is connected."""

    code = "no_reader"
    message_key = "card.no_reader"


class ReaderNotFoundError(NoReaderError):
    """The reader asked for by name is not connected."""

    code = "reader_not_found"
    message_key = "card.reader_not_found"

    def __init__(self, reader: str) -> None:
        super().__init__(reader=reader)


class NoCardError(CardError):
    """There is no card in the reader(s)."""

    code = "no_card"
    message_key = "card.no_card"


class CardRemovedError(CardError):
    """The card was taken out of the reader while it was being used."""

    code = "card_removed"
    message_key = "card.card_removed"


class NotThaiIdCardError(CardError):
    """The card in the reader does not have the Thai ID (MOI) applet."""

    code = "not_thai_id_card"
    message_key = "card.not_thai_id_card"


class CardCommunicationError(CardError):
    """The reader or card failed in a way PC/SC does not explain further."""

    code = "card_communication"
    message_key = "card.communication"

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)


class ApduError(CardError):
    """The card answered a command with a status word other than 90 00."""

    code = "apdu_error"
    message_key = "card.apdu_error"

    def __init__(self, sw: int, data: bytes = b"") -> None:
        super().__init__(sw=f"{sw:04X}")
        self.sw = sw
        self.data = data


class ApplicationNotAvailableError(ApduError):
    """SELECT of an applet failed: the card does not have it."""

    code = "application_not_available"
    message_key = "card.application_not_available"


class BadResponseError(CardError):
    """The card's answer does not have the expected shape."""

    code = "bad_response"
    message_key = "card.bad_response"

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)


class InvalidCardDataError(CardError):
    """A field the card cannot do without (the citizen ID) is not valid."""

    code = "invalid_card_data"
    message_key = "card.invalid_card_data"

    def __init__(self, field: str, value: str) -> None:
        super().__init__(field=field, value=value)


class PinFormatError(CardError, ValueError):
    """The PIN typed is not 4 digits; nothing was sent to the card."""

    code = "pin_format"
    message_key = "card.pin_format"


class InvalidPinError(CardError):
    """The card rejected the PIN; ``tries_left`` attempts remain before it blocks."""

    code = "invalid_pin"
    message_key = "card.invalid_pin"

    def __init__(self, tries_left: int) -> None:
        super().__init__(tries_left=tries_left)
        self.tries_left = tries_left


class PinBlockedError(CardError):
    """The card's PIN is blocked; only a civil registration office can issue a new one."""

    code = "pin_blocked"
    message_key = "card.pin_blocked"


class VirtualCardError(CardError):
    """Running or loading a virtual card failed."""

    code = "virtual_card"
    message_key = "card.virtual_card"


class InvalidProfileError(VirtualCardError, ValueError):
    """A virtual-card profile file is missing or does not describe a valid card."""

    code = "invalid_profile"
    message_key = "card.invalid_profile"

    def __init__(self, profile: str, reason: str) -> None:
        super().__init__(profile=profile, reason=reason)


class VpcdUnreachableError(VirtualCardError):
    """No vpcd virtual reader listens on the port (pcscd with vpcd is not running)."""

    code = "vpcd_unreachable"
    message_key = "card.vpcd_unreachable"

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host=host, port=port)


class PcscdStartError(VirtualCardError):
    """A private pcscd could not be started (or stopped)."""

    code = "pcscd_start"
    message_key = "card.pcscd_start"

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)
