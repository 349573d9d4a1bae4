from __future__ import annotations

import pytest
from smartcard import scard

from ucauth.card.errors import (
    CardCommunicationError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    PcscUnavailableError,
    ReaderNotFoundError,
)
from ucauth.card.pcsc import error_for


@pytest.mark.parametrize(
    ("hresult", "error"),
    [
        (scard.SCARD_E_NO_SERVICE, PcscUnavailableError),
        (scard.SCARD_E_SERVICE_STOPPED, PcscUnavailableError),
        (scard.SCARD_E_NO_READERS_AVAILABLE, NoReaderError),
        (scard.SCARD_E_NO_SMARTCARD, NoCardError),
        (scard.SCARD_W_REMOVED_CARD, CardRemovedError),
        (scard.SCARD_E_SHARING_VIOLATION, CardCommunicationError),
    ],
)
def test_pcsc_results_map_to_typed_errors(hresult: int, error: type[Exception]) -> None:
    assert type(error_for(hresult)) is error


def test_unknown_reader_names_the_reader() -> None:
    error = error_for(scard.SCARD_E_UNKNOWN_READER, "My Reader")
    assert isinstance(error, ReaderNotFoundError)
    assert "My Reader" in error.message("en")
    assert type(error_for(scard.SCARD_E_UNKNOWN_READER)) is NoReaderError


def test_negative_result_codes_are_normalised() -> None:
    assert isinstance(error_for(scard.SCARD_E_NO_SERVICE - (1 << 32)), PcscUnavailableError)
