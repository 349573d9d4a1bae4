"""Injectable random source: the OS CSPRNG in production, a seeded generator in tests."""

from __future__ import annotations

import random
import secrets
from typing import Protocol


class RandomSource(Protocol):
    """Random bytes and uniform integers."""

    def token_bytes(self, n: int) -> bytes: ...

    def randbelow(self, n: int) -> int: ...


class SecureRandom:
    """The operating system's CSPRNG (``secrets``)."""

    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)

    def randbelow(self, n: int) -> int:
        return secrets.randbelow(n)


class SeededRandom:
    """A reproducible generator for tests and synthetic data; never for secrets."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)  # noqa: S311 - deterministic by design

    def token_bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)

    def randbelow(self, n: int) -> int:
        return self._rng.randrange(n)


def random_string(source: RandomSource, alphabet: str, length: int) -> str:
    """A string of ``length`` characters drawn uniformly from ``alphabet``."""
    return "".join(alphabet[source.randbelow(len(alphabet))] for _ in range(length))
