"""Should-flag / should-not-flag tables for the private-key finder, with keys made here."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest
from mnemonic import Mnemonic

from monitor.classify.secrets import base58, keys
from monitor.classify.secrets.core import redact


def fixed(size: int, salt: int) -> bytes:
    """Deterministic pseudo-random bytes."""
    return hashlib.shake_256(f"support-monitor test {salt}".encode()).digest(size)


def wif(salt: int, compressed: bool = True, testnet: bool = False) -> str:
    """A WIF private key from fixed bytes."""
    payload = (
        bytes([0xEF if testnet else 0x80]) + fixed(32, salt) + (b"\x01" if compressed else b"")
    )
    return base58.encode_check(payload)


XPRV = Mnemonic("english").to_hd_master_key(fixed(64, 1))


def reversion(extended: str, version: str) -> str:
    """The same extended key under other version bytes (yprv, zprv, tprv, xpub...)."""
    raw = base58.decode_check(extended)
    assert raw is not None
    return base58.encode_check(bytes.fromhex(version) + raw[4:])


def xpub_like() -> str:
    """An xpub-serialised key: version 0488b21e, key data 02 + 32 bytes."""
    raw = base58.decode_check(XPRV)
    assert raw is not None
    return base58.encode_check(bytes.fromhex("0488b21e") + raw[4:45] + b"\x02" + fixed(32, 2))


def typo(value: str) -> str:
    """value with one base58 character changed (the checksum then fails)."""
    i = len(value) // 2
    return value[:i] + ("2" if value[i] != "2" else "3") + value[i + 1 :]


HEX64 = fixed(32, 3).hex()
HEX128 = fixed(64, 4).hex()
SOL = base58.encode(fixed(64, 5))
ETH_ADDRESS = "0x" + fixed(20, 6).hex()
P2PKH = base58.encode_check(b"\x00" + fixed(20, 7))
P2SH = base58.encode_check(b"\x05" + fixed(20, 8))
BIP38 = base58.encode_check(b"\x01\x42\xe0" + fixed(36, 9))
PUBKEY = "02" + fixed(32, 10).hex()
SIG_HEX = fixed(65, 11).hex()
SIG_B64 = base64.b64encode(b"\x1f" + fixed(64, 12)).decode()

SHOULD_FLAG = [
    (wif(1), "WIF private key (compressed, mainnet), checksum valid"),
    (wif(2, compressed=False), "WIF private key (uncompressed, mainnet), checksum valid"),
    (wif(3, testnet=True), "WIF private key (compressed, testnet), checksum valid"),
    (
        f"import this: {wif(4, False, True)} thanks",
        "WIF private key (uncompressed, testnet), checksum valid",
    ),
    (XPRV, "extended private key (xprv), checksum valid"),
    (reversion(XPRV, "04358394"), "extended private key (tprv), checksum valid"),
    (reversion(XPRV, "049d7878"), "extended private key (yprv), checksum valid"),
    (reversion(XPRV, "04b2430c"), "extended private key (zprv), checksum valid"),
    (reversion(XPRV, "02aa7a99"), "extended private key (Zprv), checksum valid"),
    (typo(XPRV), "extended private key, checksum fails (possibly mistyped)"),
    (f"backup {BIP38}", "BIP38 encrypted private key, checksum valid"),
    (f"my private key is 0x{HEX64}", "64-hex private key (context: 'private key')"),
    (f"privateKey: '{HEX64}'", "64-hex private key (context: 'privatekey')"),
    (f"Private Key\n{HEX64.upper()}", "64-hex private key (context: 'private key')"),
    (f"我的私钥：{HEX64}", "64-hex private key (context: '私钥')"),
    (f"钱包密钥 {HEX64} 请帮忙", "64-hex private key (context: '密钥')"),
    (f"aptos secret key {HEX128}", "128-hex private key (context: 'secret key')"),
    (f"wallet seed: {HEX128}", "128-hex private key (context: 'seed')"),
    (
        f"my address is {P2PKH} and private key {HEX64}",
        "64-hex private key (context: 'private key')",
    ),
    (f"phantom private key: {SOL}", "base58 64-byte private key (context: 'private key')"),
]


@pytest.mark.parametrize(("text", "detail"), SHOULD_FLAG)
def test_should_flag(text: str, detail: str) -> None:
    """Keys are found with the whole key in the span and a detail that shows no key."""
    found = keys.find(text)
    assert [m.detail for m in found] == [detail]
    m = found[0]
    redacted = redact(text, found)
    assert "[private key removed]" in redacted
    assert text[m.start : m.end] not in redacted and text[m.start : m.end] not in repr(m)
    assert m.label == "private_key" and m.score >= 0.5


SHOULD_NOT_FLAG = [
    HEX64,
    f"0x{HEX64}",
    f"txid {HEX64}",
    f"tx hash: 0x{HEX64}",
    f"my private key was used to sign this transaction: {HEX64}",
    f"交易哈希 {HEX64}",
    f"block hash {HEX64}",
    f"publicKey: {HEX64}",
    f"api key: {HEX64}",
    f"private key {'0' * 64}",
    f"private key {'f' * 64}",
    f"my private key address: {HEX64}",
    HEX128,
    f"signature {HEX128}",
    f"signature 0x{SIG_HEX}",
    f"private key {SIG_HEX}",  # 130 hex is a signature or uncompressed public key, not a key
    f"private key {PUBKEY}",  # 66 hex: a compressed public key
    f"public key {PUBKEY}",
    f"send to {ETH_ADDRESS}",
    f"private key {ETH_ADDRESS}",
    f"my address {P2PKH}",
    f"deposit {P2SH}",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    f"signed message: {SIG_B64}",
    SOL,
    f"my address {SOL}",
    xpub_like(),
    reversion(xpub_like(), "04b24746"),  # zpub
    typo(wif(1)),
    typo(xpub_like()),
    f"{XPRV}extra",
    "5" + "H" * 50,
    "xprv" + "A" * 107,
]


@pytest.mark.parametrize("text", SHOULD_NOT_FLAG)
def test_should_not_flag(text: str) -> None:
    """Hashes, addresses, public keys, signatures and broken checksums are not private keys."""
    assert keys.find(text) == []


@pytest.mark.parametrize(
    "text",
    ["a" * 1_000_000, "1" * 1_000_000, "f" * 1_000_000, ("private key " + HEX64 + " ") * 12_000],
)
def test_adversarial_input_stays_fast(text: str) -> None:
    """Megabyte inputs of base58 or hex characters finish quickly."""
    start = time.perf_counter()
    keys.find(text)
    assert time.perf_counter() - start < 5


def test_base58check_round_trip() -> None:
    """The encoder and decoder agree, keep leading zero bytes and reject a broken checksum."""
    payload = b"\x00\x00" + fixed(30, 13)
    text = base58.encode_check(payload)
    assert text.startswith("11") and base58.decode_check(text) == payload
    assert base58.decode_check(typo(text)) is None and base58.decode("0OIl") is None
