"""Secrets in every shape people (and attackers) paste them: one table of mutation shapes per type.

A shape turns a generated secret into the fields of a post (text, display name, handle, link,
reply-to, bio). `forbidden` lists the strings that must never be stored or shown again: the raw
secret, its normalised, URL-decoded and squeezed forms, and what the shape typed.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from mnemonic import Mnemonic

from monitor.classify.secrets import base58

ALNUM = string.ascii_letters + string.digits
BASE32 = string.ascii_uppercase + "234567"
ZW = "\u200b"
CYRILLIC = str.maketrans("aeopcxyAEOPCXYKMHT", "аеорсхуАЕОРСХУКМНТ")
GREEK = str.maketrans("oiv", "οιν")
ACCENTED = str.maketrans("aeiou", "áéíóú")
FOLD_BACK = str.maketrans("аеорсхуАЕОРСХУКМНТοιν", "aeopcxyAEOPCXYKMHToiv")


@dataclass(frozen=True)
class Secret:
    """One generated secret: its type, the parts that must stay
    hidden, and a sentence stating it."""

    kind: str
    parts: tuple[str, ...]  # each must never reappear (a phrase, a key, a passphrase...)
    sentence: str  # how a user states it in plain text
    words: tuple[str, ...] = ()  # a phrase's words


@dataclass(frozen=True)
class Case:
    """A post's fields after one shape, and the strings that must not survive."""

    fields: dict[str, str]
    forbidden: tuple[str, ...] = field(default=())


Shape = Callable[[Secret], Case]


def _rand(rng: random.Random, alphabet: str, n: int) -> str:
    """n characters from an alphabet."""
    return "".join(rng.choice(alphabet) for _ in range(n))


def _password(rng: random.Random) -> str:
    """A strong-looking password: letters and digits, one of each kind at least."""
    return _rand(rng, string.ascii_letters, 6) + _rand(rng, string.digits, 2) + _rand(rng, ALNUM, 4)


def make(kind: str, seed: int) -> Secret:
    """A secret of one type, generated from a seed (none is real)."""
    rng = random.Random(seed)
    if kind == "seed_phrase":
        phrase = Mnemonic("english").to_mnemonic(rng.randbytes(16 if seed % 2 else 32))
        return Secret(
            kind, (phrase,), f"my seed phrase is {phrase} please help", tuple(phrase.split())
        )
    if kind == "private_key":
        key = rng.randbytes(32).hex()
        return Secret(kind, (key,), f"my private key: {key}")
    if kind == "api_key":
        key, secret = (
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            _rand(rng, "0123456789ABCDEF", 32),
        )
        passphrase = _password(rng)
        return Secret(
            kind,
            (key, secret, passphrase),
            f"okx api key {key} secret key {secret} passphrase {passphrase}",
        )
    if kind == "token":
        token = f"{rng.randint(10**8, 10**9 - 1)}:AA{_rand(rng, ALNUM + '_-', 33)}"
        return Secret(kind, (token.split(":")[1],), f"my telegram bot token is {token}")
    if kind == "password":
        password = _password(rng)
        return Secret(kind, (password,), f"my password is {password}")
    if kind == "totp":
        setup = _rand(rng, BASE32, 28) + _rand(rng, "234567", 4)
        return Secret(kind, (setup,), f"my 2FA authenticator setup key is {setup}")
    raise ValueError(kind)


KINDS = ("seed_phrase", "private_key", "api_key", "token", "password", "totp")


def forms(secret: Secret) -> tuple[str, ...]:
    """The raw parts and their normalised, URL-decoded and squeezed forms."""
    out: list[str] = []
    for part in secret.parts:
        out += [part, part.lower(), part.upper(), "".join(part.split()), quote(part)]
    if secret.words:
        words = secret.words
        # Any four words in a row: a phrase half redacted is still a leak.
        out += [" ".join(words[i : i + 4]) for i in range(len(words) - 3)]
    return tuple(dict.fromkeys(p for p in out if len(p) >= 8))


def _text(text: str, *typed: str) -> Case:
    """A shape that changes only the post's text."""
    return Case({"text": text}, typed)


def _spread(value: str, glue: str, every: int = 4) -> str:
    """A value with glue put in every few characters."""
    return glue.join(value[i : i + every] for i in range(0, len(value), every))


def _first(secret: Secret) -> str:
    """The part a single-value shape hides."""
    return secret.parts[0]


# Shapes that apply to every type: they change how the sentence is written or where it goes.
GENERIC: dict[str, Shape] = {
    "plain sentence": lambda s: _text(s.sentence),
    "zero-width inside": lambda s: _text(s.sentence.replace(_first(s), _spread(_first(s), ZW))),
    "NUL inside": lambda s: _text(s.sentence.replace(_first(s), _spread(_first(s), "\0", 6))),
    "soft hyphens inside": lambda s: _text(
        s.sentence.replace(_first(s), _spread(_first(s), "\u00ad"))
    ),
    "fullwidth": lambda s: _text(s.sentence.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})),
    "bidi wrapped": lambda s: _text(f"\u202e{s.sentence}\u202c"),
    "in backticks": lambda s: _text(f"```\n{s.sentence}\n```"),
    "emoji around": lambda s: _text(f"🚨🚨 {s.sentence} 🙏🙏"),
    "label on its own line": lambda s: _text(
        s.sentence.replace(f" {_first(s)}", f":\n{_first(s)}")
    ),
    "base64 of the sentence": lambda s: _text(base64.b64encode(s.sentence.encode()).decode()),
    "hex of the sentence": lambda s: _text("data: " + s.sentence.encode().hex()),
    "URL-encoded in a link": lambda s: _text(f"https://help.example/q?text={quote(s.sentence)}"),
    "in the display name": lambda s: Case({"text": "hi", "name": s.sentence}),
    "in the profile text": lambda s: Case({"text": "hello", "bio": s.sentence}),
    "in the post link": lambda s: Case(
        {"text": "see", "url": f"https://t.me/x/1?q={quote(s.sentence)}"}
    ),
    "in the reply-to field": lambda s: Case({"text": "reply", "reply_to": s.sentence}),
}

SEED: dict[str, Shape] = {
    "joined by emoji": lambda s: _text("🔥".join(s.words)),
    "emoji between spaces": lambda s: _text(" 🚀 ".join(s.words)),
    "underscores": lambda s: _text("_".join(s.words)),
    "plus signs": lambda s: _text("+".join(s.words)),
    "%20": lambda s: _text("%20".join(s.words)),
    "URL query": lambda s: _text(f"https://restore.example/r?mnemonic={'+'.join(s.words)}&v=1"),
    "two words Cyrillic": lambda s: _text(
        " ".join(w.translate(CYRILLIC) if i in (2, 7) else w for i, w in enumerate(s.words))
    ),
    "two words Greek": lambda s: _text(
        " ".join(w.translate(GREEK) if i in (1, 5) else w for i, w in enumerate(s.words))
    ),
    "combining accent on each word": lambda s: _text(
        " ".join(w[0] + "\u0301" + w[1:] for w in s.words)
    ),
    "accented letters": lambda s: _text(" ".join(w.translate(ACCENTED) for w in s.words)),
    "zero-width joiners, no spaces": lambda s: _text("\u200d".join(s.words)),
    "glued, no separators": lambda s: _text("".join(s.words)),
    "split by prose": lambda s: _text(
        f"seed phrase, first six: {' '.join(s.words[:6])} and the rest "
        f"later: {' '.join(s.words[6:])}"
    ),
    "base64": lambda s: _text(base64.b64encode(" ".join(s.words).encode()).decode()),
    "hex": lambda s: _text(" ".join(s.words).encode().hex()),
    "letters spaced out": lambda s: _text("   ".join(" ".join(w) for w in s.words)),
    "letters spaced, one space": lambda s: _text(" ".join(" ".join(w) for w in s.words)),
    "numbered list": lambda s: _text("\n".join(f"{i}. {w}" for i, w in enumerate(s.words, 1))),
    "upper case": lambda s: _text(" ".join(s.words).upper()),
    "slashes": lambda s: _text("/".join(s.words)),
    "tabs": lambda s: _text("\t".join(s.words)),
    "JSON": lambda s: _text(json.dumps({"mnemonic": " ".join(s.words)})),
}

KEY: dict[str, Shape] = {
    "0x prefix": lambda s: _text(f"private key 0x{_first(s)}"),
    "groups of 8": lambda s: _text(f"private key: {_spread(_first(s), ' ', 8)}"),
    "groups of 4 with dashes": lambda s: _text(f"private key {_spread(_first(s), '-', 4)}"),
    "colon bytes": lambda s: _text(f"privkey {_spread(_first(s), ':', 2)}"),
    "two halves on two lines": lambda s: _text(
        f"private key part 1: {_first(s)[:32]}\npart 2: {_first(s)[32:]}"
    ),
    "fullwidth digits": lambda s: _text(
        "private key " + _first(s).translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    ),
    "URL query pk": lambda s: _text(f"https://wallet.example/import?pk={_first(s)}"),
    "URL query privateKey": lambda s: _text(f"https://x.example/?privateKey=0x{_first(s)}&a=1"),
    "JSON": lambda s: _text(json.dumps({"privateKey": f"0x{_first(s)}"})),
    "upper case": lambda s: _text(f"PRIVATE KEY {_first(s).upper()}"),
    "Chinese label": lambda s: _text(f"我的私钥：{_first(s)}"),
    "percent-encoded": lambda s: _text(
        "https://w.example/?pk=" + "".join(f"%{ord(c):02x}" for c in _first(s))
    ),
    "lines of 16": lambda s: _text("private key:\n" + _spread(_first(s), "\n", 16)),
}

API: dict[str, Shape] = {
    "OKX JSON": lambda s: _text(
        json.dumps(dict(zip(("apiKey", "secretKey", "passphrase"), s.parts)))
    ),
    "ccxt dict": lambda s: _text(
        f"ccxt.okx({dict(zip(('apiKey', 'secret', 'password'), s.parts))!r})"
    ),
    "env file": lambda s: _text(
        "OKX_API_KEY={}\nOKX_SECRET_KEY={}\nOKX_PASSPHRASE={}".format(*s.parts)
    ),
    "yaml": lambda s: _text(
        "okx:\n  api_key: {}\n  secret_key: {}\n  passphrase: {}".format(*s.parts)
    ),
    "URL query": lambda s: _text(
        "https://bot.example/set?apiKey={}&secretKey={}&passphrase={}".format(*s.parts)
    ),
    "Chinese labels": lambda s: _text("欧易 API key：{} 密钥：{} 口令：{}".format(*s.parts)),
    "NUL in labels": lambda s: _text(
        "okx api\0key {} secret\0key {} pass\0phrase {}".format(*s.parts)
    ),
}

PASSWORD: dict[str, Shape] = {
    "URL user-info": lambda s: _text(f"db is https://admin:{_first(s)}@db.example.com/app"),
    "URL user-info, escaped": lambda s: _text(f"https://admin:{quote(_first(s) + '@')}@h.example/"),
    "JSON": lambda s: _text(json.dumps({"username": "bob", "password": _first(s)})),
    "dict": lambda s: _text(f"login({ {'user': 'bob', 'password': _first(s)}!r})"),
    "NUL inside the label": lambda s: _text(f"my pass\0word is {_first(s)}"),
    "Cyrillic letters in the label": lambda s: _text(f"my раssword is {_first(s)}"),
    "Chinese label": lambda s: _text(f"登录密码：{_first(s)}"),
    "env": lambda s: _text(f"DB_PASSWORD={_first(s)}"),
    "pwd=": lambda s: _text(f"pwd={_first(s)}"),
}

TOTP: dict[str, Shape] = {
    "groups of four": lambda s: _text(f"authenticator setup key: {_spread(_first(s), ' ', 4)}"),
    "backup key": lambda s: _text(f"2FA backup key {_first(s)}"),
    "otpauth URL": lambda s: _text(f"otpauth://totp/OKX:bob?secret={_first(s)}&issuer=OKX"),
    "lower case": lambda s: _text(f"google authenticator key {_first(s).lower()}"),
    "Chinese label": lambda s: _text(f"谷歌验证器密钥：{_first(s)}"),
}

TOKEN: dict[str, Shape] = {
    "in a bot API URL": lambda s: _text(
        f"https://api.telegram.org/bot{s.sentence.split()[-1]}/getMe"
    ),
    "env": lambda s: _text(f"TELEGRAM_TOKEN={s.sentence.split()[-1]}"),
    "JSON": lambda s: _text(json.dumps({"token": s.sentence.split()[-1]})),
    "yaml": lambda s: _text(f"bot:\n  token: {s.sentence.split()[-1]}"),
    "python call": lambda s: _text(
        f"Application.builder().token('{s.sentence.split()[-1]}').build()"
    ),
    "Chinese sentence": lambda s: _text(f"我的机器人令牌是{s.sentence.split()[-1]}，怎么办"),
}

SPECIFIC = {
    "seed_phrase": SEED,
    "private_key": KEY,
    "api_key": API,
    "token": TOKEN,
    "password": PASSWORD,
    "totp": TOTP,
}


def shapes(kind: str) -> dict[str, Shape]:
    """Every shape for a type: the generic ones and its own."""
    return {**GENERIC, **SPECIFIC[kind]}


def wif(key_hex: str) -> str:
    """The compressed mainnet WIF of a hex private key (the same secret, another encoding)."""
    return base58.encode_check(b"\x80" + bytes.fromhex(key_hex) + b"\x01")


_BLOB = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")


def _decoded_blobs(stored: str) -> str:
    """The text any base64 or hex run in stored text decodes to (a reader can decode it too)."""
    out = []
    for blob in _BLOB.findall(stored):
        for decode in (
            bytes.fromhex,
            lambda b: base64.b64decode(b + "=" * (-len(b) % 4)),
            lambda b: base64.urlsafe_b64decode(b + "=" * (-len(b) % 4)),
        ):
            try:
                out.append(decode(blob).decode("utf-8"))
                break
            except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
                continue
    return "\n".join(out)


def views_of(stored: str) -> list[str]:
    """What a reader could recover from stored text: as is (with its base64 and hex runs decoded),
    NFKC with hidden characters and look-alike letters folded, URL-decoded, and squeezed to
    letters and digits."""
    stored = f"{stored}\n{_decoded_blobs(stored)}"
    folded = unicodedata.normalize("NFKC", stored)
    folded = "".join(c for c in folded if unicodedata.category(c) not in ("Cc", "Cf", "Mn"))
    folded = folded.translate(FOLD_BACK).lower()
    decoded = unquote(folded.replace("+", " "))
    squeezed = re.sub(r"[^0-9a-z]", "", decoded)
    return [stored, folded, decoded, squeezed]


def leaked(stored: str, case: Case, secret: Secret) -> list[str]:
    """The forbidden strings (by index into forms) any view of the stored text still holds."""
    haystacks = views_of(stored)
    needles = [n.lower() for n in (*forms(secret), *case.forbidden)]
    found = []
    for needle in needles:
        squeezed = re.sub(r"[^0-9a-z]", "", needle)
        if any(needle in h for h in haystacks[:3]) or (
            len(squeezed) >= 12 and squeezed in haystacks[3]
        ):
            found.append(needle)
    return found
