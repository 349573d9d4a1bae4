"""Stateless challenge nonces: what they carry, and that nothing else opens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ucauth.randomness import SecureRandom
from ucauth.tokens import nonces, protocol

KEY = nonces.nonce_key(b"server-token-key")
EXPIRES = datetime(2026, 11, 25, 3, 5, 0, 123456, tzinfo=UTC)
CID = "1101700230705"


def sealed(random: bytes = bytes(range(32)), agent_id: int = 7) -> bytes:
    return nonces.seal(KEY, random, agent_id, CID, EXPIRES)


def test_a_nonce_carries_its_binding_to_the_microsecond() -> None:
    nonce = sealed()
    assert len(nonce) == nonces.NONCE_BYTES == protocol.NONCE_BYTES
    binding = nonces.unseal(KEY, nonce)
    assert binding is not None
    assert (binding.agent_id, binding.cid, binding.expires_at) == (7, CID, EXPIRES)
    assert nonce.startswith(bytes(range(32)))  # the random part, 256 bits, comes first
    assert binding.tag == nonce[-32:]


def test_the_random_part_makes_every_nonce_distinct() -> None:
    random = SecureRandom()
    nonce_set = {sealed(random.token_bytes(nonces.RANDOM_BYTES)) for _ in range(100)}
    assert len(nonce_set) == 100
    tags = {nonces.unseal(KEY, nonce).tag for nonce in nonce_set}  # type: ignore[union-attr]
    assert len(tags) == 100  # the used-nonce key tells them apart


@pytest.mark.parametrize("position", [0, 31, 32, 39, 40, 47, 48, 60, 61, 92])
def test_any_altered_byte_is_refused(position: int) -> None:
    nonce = bytearray(sealed())
    nonce[position] ^= 0x01  # the random part, agent id, expiry, CID or the HMAC itself
    assert nonces.unseal(KEY, bytes(nonce)) is None


def test_another_key_a_forgery_or_a_wrong_length_is_refused() -> None:
    nonce = sealed()
    assert nonces.unseal(nonces.nonce_key(b"another server"), nonce) is None
    assert nonces.unseal(KEY, bytes(nonces.NONCE_BYTES)) is None
    assert nonces.unseal(KEY, nonce[:-1]) is None
    assert nonces.unseal(KEY, nonce + b"\x00") is None


def test_the_nonce_key_is_derived_not_the_token_key_itself() -> None:
    assert KEY != b"server-token-key" and len(KEY) == 32
    assert nonces.nonce_key(b"server-token-key") == KEY


def test_sealing_needs_32_random_bytes_and_a_cid() -> None:
    with pytest.raises(ValueError, match="32 random bytes"):
        nonces.seal(KEY, bytes(31), 7, CID, EXPIRES)
    with pytest.raises(ValueError, match="13-digit CID"):
        nonces.seal(KEY, bytes(32), 7, "123", EXPIRES)
