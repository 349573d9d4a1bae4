"""The root of ucauth's typed errors.

Every error raised on purpose derives from :class:`UcauthError`. Each domain (card, accounts,
tokens, rights, ...) keeps its own small hierarchy in its own ``errors`` module; each channel maps
them in one place (HTTP in ``ucauth.server.errors``, SOAP in the SOAP module, exit codes in
``ucauth.cli.errors``).
"""

from __future__ import annotations

from typing import ClassVar

from ucauth.i18n import translate


class UcauthError(Exception):
    """An expected failure with a stable code and a Thai/English message.

    ``code`` is machine-readable and stable (API bodies, logs, exit-code maps). ``message_key``
    names the text in the message catalogs; keyword arguments fill its placeholders.
    """

    code: ClassVar[str] = "error"
    message_key: ClassVar[str] = "common.error"

    def __init__(self, **params: object) -> None:
        super().__init__()
        self.params = params

    def message(self, lang: str = "th") -> str:
        """The user-facing text in ``lang`` ("th" or "en")."""
        return translate(self.message_key, lang, **self.params)

    def __str__(self) -> str:
        return self.message("en")


class InvalidCitizenIdError(UcauthError, ValueError):
    """A citizen ID that is not 13 digits with a valid check digit."""

    code = "invalid_cid"
    message_key = "common.invalid_cid"
