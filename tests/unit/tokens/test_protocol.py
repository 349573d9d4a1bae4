from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ucauth.tokens import protocol
from ucauth.tokens.errors import ProtocolError
from ucauth.tokens.schemas import AccountStatusRequest, LoginRequest

ORIGIN = "https://ucauth.example.go.th"
NONCE = bytes(range(protocol.NONCE_BYTES))
DIGEST = hashlib.sha256(b"card").digest()
SIGNED_AT = datetime(2026, 11, 25, 3, 4, 5, tzinfo=UTC)


def payload(**changes: object) -> protocol.LoginPayload:
    fields: dict[str, object] = {
        "origin": ORIGIN,
        "nonce": NONCE,
        "cid": "1101700230705",
        "card_digest": DIGEST,
        "card_expiry": date(2030, 1, 31),
        "signed_at": SIGNED_AT,
    }
    fields.update(changes)
    return protocol.LoginPayload(**fields)  # type: ignore[arg-type]


def test_login_encoding_is_the_documented_layout() -> None:
    def field(data: bytes) -> bytes:
        return len(data).to_bytes(2, "big") + data

    expected = b"".join(
        field(value)
        for value in (
            b"ucauth/login/v1",
            hashlib.sha256(ORIGIN.encode()).digest(),
            hashlib.sha256(NONCE).digest(),
            b"1101700230705",
            DIGEST,
            b"2030-01-31",
            b"2026-11-25T03:04:05Z",
        )
    )
    assert payload().encode() == expected


def test_lifetime_card_encodes_an_empty_expiry() -> None:
    assert payload(card_expiry=None).encode() != payload().encode()
    assert (
        payload(card_expiry=None).encode().endswith(b"\x00\x00\x00\x14" + b"2026-11-25T03:04:05Z")
    )


def test_signed_at_is_encoded_in_utc() -> None:
    bangkok = SIGNED_AT.astimezone(timezone(timedelta(hours=7)))
    assert payload(signed_at=bangkok).encode() == payload().encode()


def test_origin_and_nonce_boundaries_cannot_shift() -> None:
    # Same concatenation of origin + nonce text, different split: different signed bytes.
    a = payload(origin="https://example.com", nonce=b"." + bytes(protocol.NONCE_BYTES - 1))
    b = payload(origin="https://example.com.", nonce=bytes(protocol.NONCE_BYTES))
    assert a.encode() != b.encode()


@pytest.mark.parametrize(
    "change",
    [
        {"origin": "https://other.example"},
        {"nonce": bytes(protocol.NONCE_BYTES)},
        {"cid": "1101700230713"},
        {"card_digest": bytes(32)},
        {"card_expiry": date(2030, 2, 1)},
        {"signed_at": SIGNED_AT + timedelta(seconds=1)},
    ],
)
def test_every_field_is_covered_by_the_signature(change: dict[str, object]) -> None:
    key = protocol.generate_private_key()
    signed = protocol.sign_login(key, 7, payload())
    public = protocol.public_key_bytes(key)
    assert protocol.verify_signature(public, signed.payload, signed.signature)
    assert not protocol.verify_signature(public, payload(**change), signed.signature)


def test_a_login_signature_is_not_an_account_status_signature() -> None:
    key = protocol.generate_private_key()
    query = protocol.AccountStatusQuery(ORIGIN, NONCE, "1101700230705")
    signed = protocol.sign_account_status(key, 7, query)
    public = protocol.public_key_bytes(key)
    assert protocol.verify_signature(public, query, signed.signature)
    assert not protocol.verify_signature(public, payload(), signed.signature)


def test_another_key_or_garbage_does_not_verify() -> None:
    signed = protocol.sign_login(protocol.generate_private_key(), 7, payload())
    other = protocol.public_key_bytes(protocol.generate_private_key())
    assert not protocol.verify_signature(other, signed.payload, signed.signature)
    assert not protocol.verify_signature(b"short", signed.payload, signed.signature)
    assert not protocol.verify_signature(other, signed.payload, b"\x00" * 64)


def test_signed_login_round_trips_through_the_server_schema() -> None:
    key = protocol.generate_private_key()
    signed = protocol.sign_login(key, 7, payload())
    assert LoginRequest.model_validate(signed.to_json()).to_signed() == signed
    lifetime = protocol.sign_login(key, 7, payload(card_expiry=None))
    assert LoginRequest.model_validate(lifetime.to_json()).to_signed() == lifetime


def test_signed_status_round_trips_through_the_server_schema() -> None:
    query = protocol.AccountStatusQuery(ORIGIN, NONCE, "1101700230705")
    signed = protocol.sign_account_status(protocol.generate_private_key(), 3, query)
    assert AccountStatusRequest.model_validate(signed.to_json()).to_signed() == signed


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://UCAuth.Example.go.th/", "https://ucauth.example.go.th"),
        ("https://ucauth.example.go.th:443/api/v1", "https://ucauth.example.go.th"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://localhost:80", "http://localhost"),
        ("https://[::1]:8443/x?y#z", "https://[::1]:8443"),
    ],
)
def test_normalize_origin(url: str, origin: str) -> None:
    assert protocol.normalize_origin(url) == origin


@pytest.mark.parametrize(
    "url", ["ftp://host", "https://", "host:80", "https://user@host", "https://host:99999"]
)
def test_normalize_origin_refuses(url: str) -> None:
    with pytest.raises(ProtocolError):
        protocol.normalize_origin(url)


@pytest.mark.parametrize(
    "change",
    [
        {"origin": "https://ucauth.example.go.th/"},
        {"nonce": bytes(protocol.NONCE_BYTES - 1)},
        {"nonce": bytes(protocol.NONCE_BYTES + 1)},
        {"cid": "123"},
        {"card_digest": bytes(31)},
        {"signed_at": datetime(2026, 1, 1)},  # noqa: DTZ001 - naive on purpose
    ],
)
def test_payload_refuses_malformed_fields(change: dict[str, object]) -> None:
    with pytest.raises(ProtocolError):
        payload(**change)


def test_b64_and_hex_decoding_are_strict() -> None:
    size = protocol.NONCE_BYTES
    assert protocol.decode_b64(protocol.encode_b64(NONCE), size, "nonce") == NONCE
    for text in ["", "AAAA", protocol.encode_b64(NONCE) + "=", "!" * 124]:
        with pytest.raises(ProtocolError):
            protocol.decode_b64(text, size, "nonce")
    assert protocol.decode_hex(DIGEST.hex(), 32, "d") == DIGEST
    with pytest.raises(ProtocolError):
        protocol.decode_hex(DIGEST.hex().upper(), 32, "d")


def test_private_key_pem_round_trip() -> None:
    key = protocol.generate_private_key()
    again = protocol.private_key_from_pem(protocol.private_key_to_pem(key))
    assert protocol.public_key_bytes(again) == protocol.public_key_bytes(key)
    with pytest.raises(ProtocolError):
        protocol.private_key_from_pem(b"not a key")


@pytest.mark.parametrize(
    "text",
    ["2026-11-25T03:04:05", "2026-1-25T03:04:05Z", " 2026-11-25T03:04:05Z", "2026-02-30T00:00:00Z"],
)
def test_signed_at_is_parsed_in_exactly_its_format(text: str) -> None:
    assert protocol.parse_time(protocol.format_time(SIGNED_AT)) == SIGNED_AT
    with pytest.raises(ProtocolError):
        protocol.parse_time(text)


SMALL_ORDER_KEY = bytes([1] + [0] * 31)  # the neutral point: any message "verifies" under it
ED25519_ORDER = 2**252 + 27742317777372353535851937790883648493


def test_small_order_and_malformed_public_keys_are_refused() -> None:
    good = protocol.public_key_bytes(protocol.generate_private_key())
    assert protocol.check_public_key(good) == good
    for bad in (SMALL_ORDER_KEY, b"short", good + b"\x00", bytes(32)):
        with pytest.raises(ProtocolError):
            protocol.check_public_key(bad)


def test_a_signature_with_a_non_canonical_scalar_is_refused() -> None:
    key = protocol.generate_private_key()
    signed = protocol.sign_login(key, 7, payload())
    public = protocol.public_key_bytes(key)
    r, s = signed.signature[:32], int.from_bytes(signed.signature[32:], "little")
    malleated = r + (s + ED25519_ORDER).to_bytes(32, "little")  # the same point, S ≥ L
    assert protocol.verify_signature(public, signed.payload, signed.signature)
    assert not protocol.verify_signature(public, signed.payload, malleated)
    assert not protocol.verify_signature(SMALL_ORDER_KEY, signed.payload, bytes(64))
