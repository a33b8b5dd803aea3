"""Bitcoin base58 and base58check encoding (alphabet without 0, O, I, l)."""

from __future__ import annotations

import hashlib

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_VALUES = {c: i for i, c in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    """Base58 text for bytes; each leading zero byte becomes a leading "1"."""
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, rem = divmod(number, 58)
        digits.append(ALPHABET[rem])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def decode(text: str) -> bytes | None:
    """The bytes a base58 text encodes, or None if it has a character outside the alphabet."""
    number = 0
    for c in text:
        value = _VALUES.get(c)
        if value is None:
            return None
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * zeros + body


def _checksum(payload: bytes) -> bytes:
    """The 4-byte double-SHA256 checksum base58check appends."""
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def encode_check(payload: bytes) -> str:
    """Base58check text: payload plus its checksum, base58-encoded."""
    return encode(payload + _checksum(payload))


def decode_check(text: str) -> bytes | None:
    """The payload of a base58check text, or None if it is not base58 or its checksum fails."""
    raw = decode(text)
    if raw is None or len(raw) < 5 or _checksum(raw[:-4]) != raw[-4:]:
        return None
    return raw[:-4]
