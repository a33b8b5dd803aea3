"""Converters for the secret-leak eval sets: BIP39/BIP32 vectors, wallet-SDK strings, doc keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from monitor.evalsets.common import Post, post, read_csv, secret, wrap

PLATFORM = (
    "telegram"  # secrets are mostly pasted into chats; the platform does not change the finders
)

# How each BIP39 vector's phrase is written in a post, beyond the plain space-separated form.
_SENTENCE_EN = "wallet got drained?? I only typed my recovery words into the app: {m} what now"
_SENTENCE_ZH = "钱包被盗了，我的助记词是{m}，请帮帮我"


def bip39_variants(language: str, mnemonic: str) -> Iterator[tuple[str, str]]:
    """(variant, text) per form of a phrase: plain, numbered, commas, unspaced zh, sentence."""
    words = (
        mnemonic.split()
    )  # the Japanese vectors use the ideographic space, which split() handles
    chinese = language.startswith("chinese")
    yield "plain", mnemonic
    yield "numbered", "\n".join(f"{i}. {w}" for i, w in enumerate(words, start=1))
    yield "comma", ", ".join(words)
    if chinese:
        yield "nospace", "".join(words)
    yield "sentence", (_SENTENCE_ZH if chinese else _SENTENCE_EN).format(m=mnemonic)


def bip39_vectors(root: Path) -> Iterator[Post]:
    """Trezor BIP39 vectors, every language and form; English xprv and seed hex, wrapped."""
    vectors = json.loads((root / "bip39_trezor_python_mnemonic/vectors.json").read_text("utf-8"))
    for language, rows in vectors.items():
        script = "zh" if language.startswith("chinese") else language
        for i, (_entropy, mnemonic, seed_hex, xprv) in enumerate(rows):
            for variant, text in bip39_variants(language, mnemonic):
                yield post(
                    "bip39_vectors",
                    f"{language}-{i}-{variant}",
                    text,
                    secret("seed_phrase"),
                    PLATFORM,
                    handle=f"user{i}",
                    group=f"{variant}/{script}",
                )
            if (
                language == "english"
            ):  # key material derived from the phrase; one language is enough
                yield post(
                    "bip39_vectors",
                    f"{language}-{i}-xprv",
                    wrap("private_key", xprv),
                    secret("private_key"),
                    PLATFORM,
                    handle=f"user{i}",
                    group="xprv",
                )
                yield post(
                    "bip39_vectors",
                    f"{language}-{i}-seed",
                    wrap("seed_hex", seed_hex),
                    secret("private_key"),
                    PLATFORM,
                    handle=f"user{i}",
                    group="seed_hex",
                )


def mnemonic_edge_cases(root: Path) -> Iterator[Post]:
    """Dev phrases and near-phrases, posted bare.

    A run of BIP39 words that fails its checksum or misses one word is still a leak (the phrase
    can be recovered by trying 2048 candidates), so only the non-phrase sentence is a negative.
    """
    for i, r in enumerate(read_csv(root / "bip39_trezor_python_mnemonic/mnemonic_edge_cases.csv")):
        label = None if r["case"] == "not_a_mnemonic" else "seed_phrase"
        yield post(
            "mnemonic_edge_cases",
            i,
            r["text"],
            secret(label),
            PLATFORM,
            group=r["case"].split(" ")[0],
        )


# BIP vector kinds: (our label or None for a non-secret, wrapping sentence).
_BIP_KINDS: dict[str, tuple[str | None, str]] = {
    "extended_private_key": ("private_key", "private_key"),
    "extended_private_key_invalid": ("private_key", "private_key"),  # upstream is_secret=1
    "wif_private_key": ("private_key", "private_key"),
    "hex_private_key": ("private_key", "private_key"),
    "bip32_seed_hex": ("private_key", "seed_hex"),
    "bip38_encrypted_key": ("private_key", "private_key"),  # upstream is_secret=1
    "bip38_passphrase": ("password", "password"),
    "bip39_mnemonic": ("seed_phrase", "seed_phrase"),
    "extended_public_key": (None, "xpub"),
    "extended_public_key_invalid": (None, "xpub"),
    "hex_public_key": (None, "public_key"),
    "address": (None, "address"),
    "bech32_address": (None, "address"),
    "bech32_address_invalid": (None, "address"),
    "bip38_intermediate_code": (None, "bip38_code"),
    "bip38_confirmation_code": (None, "bip38_code"),
}


def bip_key_vectors(root: Path) -> Iterator[Post]:
    """BIP32/38/49/84/86/173/350 keys and addresses, each wrapped in a sentence fitting its kind."""
    for i, r in enumerate(
        read_csv(root / "bitcoin_bips_key_vectors/bip_key_and_address_vectors.csv")
    ):
        label, _ = _BIP_KINDS[r["kind"]]
        if (label is not None) != (r["is_secret"] == "1"):
            raise ValueError(f"bip vectors row {i}: kind {r['kind']} disagrees with is_secret")
        yield _wrapped("bip_key_vectors", i, r, _BIP_KINDS)


_WIF_KINDS = {
    "wif_private_key": ("private_key", "private_key"),
    "p2pkh_address": (None, "address"),
    "base64_message_signature": (None, "signature"),
}


def wif_signmessage(root: Path) -> Iterator[Post]:
    """python-bitcoinlib WIF keys (secret), their addresses and signatures (not), wrapped."""
    path = root / "bitcoin_wif_signmessage_python_bitcoinlib/wif_address_signature_labeled.csv"
    return _wrapped_values("wif_signmessage", path, _WIF_KINDS)


_OKX_SDK_KINDS = {
    "private_key": ("private_key", "private_key"),
    "mnemonic": ("seed_phrase", "seed_phrase"),
    "address": (None, "address"),
    "public_key": (None, "public_key"),
    "hash_sig_or_tx": (None, "hash"),
}


def okx_wallet_sdk(root: Path) -> Iterator[Post]:
    """OKX js-wallet-sdk test strings, 21 chains, wrapped (phrases failing checksum stay leaks)."""
    path = root / "secrets_okx_js_wallet_sdk_test_vectors/okx_wallet_sdk_test_strings.csv"
    return _wrapped_values("okx_wallet_sdk", path, _OKX_SDK_KINDS)


Kinds = dict[str, tuple[str | None, str]]  # upstream kind -> (our secret label or None, wrapper)


def _wrapped_values(name: str, path: Path, kinds: Kinds) -> Iterator[Post]:
    """Rows with `kind` and `value` columns: each value wrapped in a sentence fitting its kind."""
    for i, r in enumerate(read_csv(path)):
        yield _wrapped(name, i, r, kinds)


def _wrapped(name: str, i: int, row: dict[str, str], kinds: Kinds) -> Post:
    """One row's value wrapped in a sentence fitting its kind, labelled by that kind."""
    label, template = kinds[row["kind"]]
    return post(name, i, wrap(template, row["value"]), secret(label), PLATFORM, group=row["kind"])


_BINANCE_KINDS = {
    "exchange_api_key": ("api_key", "api_key"),
    "exchange_api_secret": ("api_key", "api_secret"),
    "hmac_sha256_request_signature": (None, "signature"),
    "rsa_or_ed25519_request_signature_b64": (None, "signature"),
}


def binance_docs_keys(root: Path) -> Iterator[Post]:
    """Binance doc keys/secret and request signatures, wrapped; the PEM header as in the doc."""
    for i, r in enumerate(
        read_csv(root / "secrets_exchange_api_docs/binance_docs_key_examples.csv")
    ):
        if r["kind"] == "pem_private_key_header":
            yield post(
                "binance_docs_keys",
                i,
                r["context"],
                secret("private_key"),
                PLATFORM,
                group=r["kind"],
            )
            continue
        yield _wrapped("binance_docs_keys", i, r, _BINANCE_KINDS)


_OKX_DOC_KINDS = {
    "okx_api_key_MASKED": (None, "okx_api_key"),
    "okx_request_signature_b64": (None, "signature"),
    "okx_passphrase_MASKED": (None, "okx_passphrase"),
    "okx_api_secret_example": ("api_key", "okx_secret"),
}


def okx_docs_keys(root: Path) -> Iterator[Post]:
    """OKX doc examples, wrapped: masked key, passphrase and a signature (not), the secret key."""
    path = root / "secrets_exchange_api_docs/okx_docs_key_examples.csv"
    return _wrapped_values("okx_docs_keys", path, _OKX_DOC_KINDS)
