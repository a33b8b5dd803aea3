"""Real-looking secrets for the reply tests, made here from a seeded generator (none is real)."""

from __future__ import annotations

import random
import string
import uuid

from mnemonic import Mnemonic

from monitor.classify.secrets import base58

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
_WORDLISTS = {lang: Mnemonic(lang) for lang in ("english", "chinese_simplified")}


def seed_phrase(rng: random.Random, lang: str = "english", words: int = 12) -> str:
    """A valid BIP39 phrase (checksum included)."""
    # 12 words: 16 bytes of entropy
    return _WORDLISTS[lang].to_mnemonic(rng.randbytes(words // 3 * 4))


def wif(rng: random.Random) -> str:
    """A compressed mainnet WIF private key."""
    return base58.encode_check(b"\x80" + rng.randbytes(32) + b"\x01")


def rand(rng: random.Random, alphabet: str, n: int) -> str:
    """n characters from an alphabet."""
    return "".join(rng.choice(alphabet) for _ in range(n))


def leaks(rng: random.Random) -> list[tuple[str, str]]:
    """(sentence, secret) pairs: each sentence states one secret the way users paste them."""
    okx_key = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return [
        (f"my seed phrase is {(s := seed_phrase(rng))} pls help", s),
        (f"助记词 {(s := seed_phrase(rng, 'chinese_simplified'))} 怎么恢复", s),
        (f"recovery words: {(s := seed_phrase(rng, words=24))}", s),
        (f"private key {(s := wif(rng))} is it safe?", s),
        (f"my eth private key: 0x{(s := rng.randbytes(32).hex())}", s),
        (f"okx api key is {okx_key} and secret key: {(s := rand(rng, '0123456789ABCDEF', 32))}", s),
        (f"why is my github token ghp_{(s := rand(rng, ALNUM, 36))} rejected", "ghp_" + s),
        (
            f"bot token {(s := f'{rng.randint(10**8, 10**9)}:AA{rand(rng, URLSAFE, 33)}')} leaked?",
            s,
        ),
        (
            (
                f"my password is {(s := rand(rng, ALNUM, 6) + '-' + rand(rng, ALNUM, 5) + '7')}"
                " and it fails"
            ),
            s,
        ),
        (f"我的登录密码是 {(s := rand(rng, ALNUM, 10) + '9')} 登不上", s),
    ]
