from __future__ import annotations

from collections import Counter

from ucauth.randomness import SecureRandom, SeededRandom
from ucauth.tokens.credentials import (
    TOKEN_ALPHABET,
    TOKEN_LENGTH,
    log_label,
    matches,
    new_token,
    token_hmac,
)

KEY = b"k" * 32


def test_tokens_are_16_lowercase_letters_and_digits() -> None:
    for _ in range(200):
        token = new_token(SecureRandom())
        assert len(token) == TOKEN_LENGTH == 16
        assert set(token) <= set("abcdefghijklmnopqrstuvwxyz0123456789")


def test_token_characters_are_uniform() -> None:
    # 36 000 characters from a seeded source: each letter within ±15 % of 1000.
    random = SeededRandom(42)
    counts = Counter("".join(new_token(random) for _ in range(2250)))
    assert set(counts) == set(TOKEN_ALPHABET)
    assert all(850 < n < 1150 for n in counts.values()), counts


def test_tokens_do_not_repeat() -> None:
    random = SecureRandom()
    assert len({new_token(random) for _ in range(5000)}) == 5000


def test_hmac_depends_on_key_and_token_and_compares() -> None:
    digest = token_hmac(KEY, "abcdefghijklmnop")
    assert len(digest) == 32
    assert digest != token_hmac(b"x" * 32, "abcdefghijklmnop")
    assert matches(digest, KEY, "abcdefghijklmnop")
    assert not matches(digest, KEY, "abcdefghijklmnoq")


def test_log_label_is_a_short_prefix_of_the_hmac_not_the_token() -> None:
    digest = token_hmac(KEY, "abcdefghijklmnop")
    assert log_label(digest) == digest.hex()[:12]
    assert "abcdefghijklmnop" not in log_label(digest)


class ScriptedRandom:
    """Hands out the given byte strings in turn."""

    def __init__(self, *draws: bytes) -> None:
        self._draws = list(draws)

    def token_bytes(self, n: int) -> bytes:
        draw = self._draws.pop(0)
        assert len(draw) == n
        return draw

    def randbelow(self, n: int) -> int:
        raise NotImplementedError


def test_bytes_that_would_bias_the_alphabet_are_skipped() -> None:
    # 252–255 would make a–d more likely than the rest: they are dropped, and the rest of the
    # token comes from the next draw.
    first = bytes([252, 253, 254, 255] * 7) + bytes([0, 36, 71, 251])  # 0→a, 36→a, 71→9, 251→9
    second = bytes(range(1, 33))  # b, c, d, …
    token = new_token(ScriptedRandom(first, second))
    assert token == "aa99" + TOKEN_ALPHABET[1:13]
