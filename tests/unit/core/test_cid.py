from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ucauth.cid import check_digit, complete_cid, is_valid_cid, validate_cid
from ucauth.errors import InvalidCitizenIdError


def test_known_valid_id() -> None:
    # Published example from the card reference: 1101700203450.
    assert is_valid_cid("1101700203450")
    assert check_digit("110170020345") == 0


@pytest.mark.parametrize(
    "value",
    ["1101700203451", "110170020345", "11017002034500", "110170020345a", "", "١١٠١٧٠٠٢٠٣٤٥٠"],
)
def test_invalid_ids(value: str) -> None:
    assert not is_valid_cid(value)
    with pytest.raises(InvalidCitizenIdError):
        validate_cid(value)


def test_validate_strips_space() -> None:
    assert validate_cid(" 1101700203450\n") == "1101700203450"


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_complete_cid_is_valid_and_unique_check_digit(first12: str) -> None:
    cid = complete_cid(first12)
    assert is_valid_cid(cid)
    wrong = (int(cid[12]) + 1) % 10
    assert not is_valid_cid(cid[:12] + str(wrong))


def test_error_message_in_both_languages() -> None:
    error = InvalidCitizenIdError(cid="123")
    assert "เลขประจำตัวประชาชน" in error.message("th")
    assert "citizen ID" in error.message("en")
    assert str(error) == error.message("en")
