"""Should-flag / should-not-flag cases for fixed-format service tokens (all values made up here)."""

from __future__ import annotations

import base64
import json
import random
import string
import time

import pytest

from monitor.classify.secrets import tokens
from monitor.classify.secrets.core import find_secrets, redact

_RNG = random.Random(20240611)
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"


def rand(alphabet: str, n: int) -> str:
    """A made-up random string from a seeded generator (stable across runs)."""
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def b64url(data: bytes) -> str:
    """Unpadded base64url, as used in JWTs and Discord tokens."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(header: dict[str, str]) -> str:
    """A made-up JWT with the given header and a random signature."""
    payload = {"sub": "user-42", "iat": 1700000000}
    return ".".join(
        (
            b64url(json.dumps(header).encode()),
            b64url(json.dumps(payload).encode()),
            rand(URLSAFE, 43),
        )
    )


TELEGRAM = f"{_RNG.randint(10**8, 10**9)}:AA{rand(URLSAFE, 33)}"
DISCORD = f"{b64url(b'812345678901234567')}.{rand(URLSAFE, 6)}.{rand(URLSAFE, 27)}"
GITHUB = "ghp_" + rand(ALNUM, 36)
GITHUB_FINE = f"github_pat_{rand(ALNUM, 22)}_{rand(ALNUM, 59)}"
GITLAB = "glpat-" + rand(URLSAFE, 20)
SLACK = f"xoxb-{rand(string.digits, 12)}-{rand(string.digits, 13)}-{rand(ALNUM, 24)}"
AWS_ID = "AKIA" + rand(string.ascii_uppercase + string.digits, 16)
AWS_SECRET = rand(ALNUM + "/+", 40)
GOOGLE = "AIza" + rand(URLSAFE, 35)
STRIPE = "sk_live_" + rand(ALNUM, 24)
OPENAI = f"sk-proj-{rand(ALNUM, 20)}T3BlbkFJ{rand(ALNUM, 20)}"
NPM = "npm_" + rand(ALNUM, 36)
SENDGRID = f"SG.{rand(URLSAFE, 22)}.{rand(URLSAFE, 43)}"
JWT = jwt({"alg": "HS256", "typ": "JWT"})
BEARER = rand(ALNUM, 40)


@pytest.mark.parametrize(
    ("text", "secret", "detail"),
    [
        (f"my bot token is {TELEGRAM} pls help", TELEGRAM, "Telegram bot token"),
        (f"curl https://api.telegram.org/bot{TELEGRAM}/getMe", TELEGRAM, "Telegram bot token"),
        (f"discord bot: {DISCORD}", DISCORD, "Discord bot token"),
        (f"{GITHUB} is my token", GITHUB, "GitHub token"),
        (f"fine-grained: {GITHUB_FINE}", GITHUB_FINE, "GitHub token"),
        (f"gitlab {GITLAB}", GITLAB, "GitLab token"),
        (f"slack token {SLACK}", SLACK, "Slack token"),
        (f"aws key id {AWS_ID}", AWS_ID, "AWS access key ID"),
        (f"aws_secret_access_key = {AWS_SECRET}", AWS_SECRET, "AWS secret access key"),
        (f"maps key {GOOGLE}", GOOGLE, "Google API key"),
        (f"stripe {STRIPE}", STRIPE, "Stripe secret key"),
        (f"openai key {OPENAI} thanks", OPENAI, "OpenAI API key"),
        (f"npm {NPM}", NPM, "npm token"),
        (f"sendgrid {SENDGRID}", SENDGRID, "SendGrid API key"),
        (f"session {JWT}", JWT, "JWT"),
        (f"Authorization: Bearer {BEARER}", BEARER, "bearer token"),
    ],
)
def test_flags_token(text: str, secret: str, detail: str) -> None:
    """Each distinctive format is found, named, and its span is exactly the token."""
    found = [m for m in tokens.find(text) if m.detail == detail]
    assert len(found) == 1
    m = found[0]
    assert (text[m.start : m.end], m.label, m.score >= 0.5) == (secret, "token", True)
    assert m.placeholder == f"[token removed: {detail}]"


@pytest.mark.parametrize(
    "text",
    [
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  # documentation placeholder
        "AKIAXXXXXXXXXXXXXXXX and AKIA0000EXAMPLE0000X",
        "Bearer <your API token here>",
        "Authorization: Bearer $API_TOKEN",
        "pk_live_" + "Ab3" * 8,  # publishable Stripe keys are public
        "12345678:short",  # not a Telegram token shape
        f"order 2024061112345678:{rand(ALNUM, 20)}",
        f"{b64url(json.dumps({'name': 'not a jwt'}).encode())}.{b64url(b'{}')}.{rand(URLSAFE, 30)}",
        "eyJub3QiOiJqc29uIn0x.eyJhbGciOiJub25lIn0",  # header without "alg"
        "see you at 10:30, my token of thanks",
        "the sk-learn library and xoxo from me",
    ],
)
def test_does_not_flag(text: str) -> None:
    """Placeholders, public keys and look-alikes are not reported."""
    assert tokens.find(text) == []


def test_redaction_keeps_the_sentence_readable() -> None:
    """The token is replaced by a readable placeholder and nothing else changes."""
    text = f"hi, here is my bot token {TELEGRAM} can you check it?"
    assert redact(text, find_secrets(text)) == (
        "hi, here is my bot token [token removed: Telegram bot token] can you check it?"
    )


def test_secret_never_in_repr_or_detail() -> None:
    """repr and detail of a match carry no secret content."""
    (m,) = tokens.find(f"token {GITHUB}")
    assert GITHUB not in repr(m) and GITHUB not in m.detail and m.value == GITHUB


@pytest.mark.parametrize(
    "text", ["a" * 1_000_000, "eyJ" * 300_000, "1" * 500_000 + ":", "xoxb-1-" * 100_000]
)
def test_adversarial_input_is_fast(text: str) -> None:
    """Long runs of one character do not make the patterns backtrack."""
    start = time.perf_counter()
    tokens.find(text)
    assert time.perf_counter() - start < 2.0
