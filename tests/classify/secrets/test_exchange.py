"""Should-flag / should-not-flag cases for exchange API credentials (all values made up here)."""

from __future__ import annotations

import random
import string
import time
import uuid

import pytest

from monitor.classify.secrets import exchange
from monitor.classify.secrets.core import find_secrets, redact

_RNG = random.Random(8675309)
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"


def rand(alphabet: str, n: int) -> str:
    """A made-up random string from a seeded generator (stable across runs)."""
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def fake_uuid() -> str:
    """A made-up UUID from the seeded generator."""
    return str(uuid.UUID(int=_RNG.getrandbits(128), version=4))


OKX_KEY = fake_uuid()
OKX_SECRET = rand(HEX, 32).upper()
BINANCE_KEY = rand(ALNUM, 64)
BINANCE_SECRET = rand(ALNUM, 64)
BYBIT_KEY = rand(ALNUM, 18)
KUCOIN_KEY = rand(HEX, 24)
KRAKEN_SECRET = rand(B64, 86) + "=="
COINBASE_NAME = f"organizations/{fake_uuid()}/apiKeys/{fake_uuid()}"
PEM_BODY = "\n".join(rand(B64, 64) for _ in range(3))
PEM = f"-----BEGIN EC PRIVATE KEY-----\n{PEM_BODY}\n-----END EC PRIVATE KEY-----"
HMAC_SIGNATURE = rand(HEX, 64)


@pytest.mark.parametrize(
    ("text", "secret", "detail"),
    [
        (f"my okx api key is {OKX_KEY} why can't I trade", OKX_KEY, "OKX API key"),
        (f"OKX secret key: {OKX_SECRET}", OKX_SECRET, "OKX API secret"),
        (f"my binance api key is {BINANCE_KEY}", BINANCE_KEY, "Binance API key"),
        (
            f'{{"apiKey": "x", "secretKey": "{BINANCE_SECRET}"}} binance',
            BINANCE_SECRET,
            "Binance API secret",
        ),
        (f"bybit api key {BYBIT_KEY} stopped working", BYBIT_KEY, "Bybit API key"),
        (f"KuCoin API key: {KUCOIN_KEY}", KUCOIN_KEY, "KuCoin API key"),
        (f"kraken private api secret = {KRAKEN_SECRET}", KRAKEN_SECRET, "Kraken API secret"),
        (f"coinbase key name {COINBASE_NAME}", COINBASE_NAME, "Coinbase API key name"),
        (f"我的API密钥是{OKX_KEY}，帮我看看欧易为什么下单失败", OKX_KEY, "OKX API key"),
        (f"币安 secret: {BINANCE_SECRET}", BINANCE_SECRET, "Binance API secret"),
        (f"my old .env:\nBINANCE_API_KEY={BINANCE_KEY}", BINANCE_KEY, "Binance API key"),
        (f"OKX_SECRET_KEY={OKX_SECRET}", OKX_SECRET, "OKX API secret"),
        (f"okx passphrase: Tr0ub4dor-{rand(ALNUM, 4)}", None, "OKX API passphrase"),
        (f"OKX API 口令：Qw{rand(ALNUM, 8)}", None, "OKX API passphrase"),
        (f"coinbase cdp key:\n{PEM}", PEM, "Coinbase API private key (PEM)"),
    ],
)
def test_flags_credential(text: str, secret: str | None, detail: str) -> None:
    """Keys, secrets and passphrases are found with their context and named in plain words."""
    found = [m for m in exchange.find(text) if m.detail == detail]
    assert len(found) == 1, exchange.find(text)
    m = found[0]
    assert m.label == "api_key" and m.score >= 0.5
    if secret is not None:
        assert text[m.start : m.end] == secret


@pytest.mark.parametrize(
    "text",
    [
        f"my order {fake_uuid()} is stuck for 3 days",  # UUIDs are everywhere
        f"request id {fake_uuid()}, api returns 50113",
        f"withdrawal txid: {rand(HEX, 64)} binance",
        f"binance api signature={HMAC_SIGNATURE}",
        f"signature: {rand(B64, 86)}== from my api call",
        "OK-ACCESS-KEY: 3f9a2c1e-****-****-****-0b7d4e6f8a21",  # masked key
        "OK-ACCESS-PASSPHRASE: 1****9",
        "my okx passphrase is wrong, how do I reset it?",
        "I forgot my API passphrase",
        f"binance private key {rand(HEX, 64)}",  # hex private keys belong to the key finder
        f"key: {fake_uuid()}",  # a bare "key" with no API or exchange context
        (
            "how do I create an API key on OKX? "
            "https://www.okx.com/help/how-to-create-api-keys-0123456789"
        ),
        f"binance deposit address {rand(ALNUM, 34)} memo {rand(string.digits, 9)}",
        'curl -H "apikey: $API_KEY" "$API_URL/rest/v1/balance_history_monthly"',
        "-----BEGIN PRIVATE KEY----------END PRIVATE KEY-----",
        "我的API密钥忘记了怎么办？",
        f"binance api key? no, this is my xpub6{rand(ALNUM, 105)}",  # public, and the key finder's
        f"订单号 {fake_uuid()} 的API请求失败",
    ],
)
def test_does_not_flag(text: str) -> None:
    """Order ids, tx hashes, signatures, masked keys and complaints are not reported."""
    assert [m for m in exchange.find(text) if m.score >= 0.5] == []


def test_all_three_okx_parts_redacted() -> None:
    """Key, secret and passphrase in one post are each replaced; the words stay."""
    text = f"okx api key {OKX_KEY} secret {OKX_SECRET} passphrase: Mango-{rand(ALNUM, 6)} pls help"
    assert redact(text, find_secrets(text)) == (
        "okx api key [API key removed] secret [API secret removed] passphrase: [passphrase "
        "removed] pls help"
    )


def test_pem_without_api_context_is_private_key() -> None:
    """A PEM block in a post about nothing exchange-related is labelled private_key."""
    (m,) = exchange.find(f"is this safe to share?\n{PEM}\nthanks")
    assert (m.label, m.detail, m.placeholder) == (
        "private_key",
        "PEM private key",
        "[private key removed]",
    )


def test_secret_never_in_repr_or_detail() -> None:
    """repr and detail of a match carry no secret content."""
    (m,) = exchange.find(f"binance api key {BINANCE_KEY}")
    assert BINANCE_KEY not in repr(m) and BINANCE_KEY not in m.detail


@pytest.mark.parametrize(
    "text",
    [
        "api key " + "a" * 1_000_000,
        "secret " + "Ab1" * 300_000,
        "passphrase: " * 80_000,
        "-----BEGIN PRIVATE KEY-----" + "A" * 500_000,
    ],
)
def test_adversarial_input_is_fast(text: str) -> None:
    """Huge runs and repeated labels stay linear."""
    start = time.perf_counter()
    exchange.find(text)
    assert time.perf_counter() - start < 2.0
