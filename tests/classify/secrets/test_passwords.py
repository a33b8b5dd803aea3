"""Should-flag / should-not-flag cases for passwords and one-time codes stated in posts."""

from __future__ import annotations

import time

import pytest

from monitor.classify.secrets import passwords
from monitor.classify.secrets.core import find_secrets, redact


@pytest.mark.parametrize(
    ("text", "secret", "detail"),
    [
        ("my password is Kangaroo!42 can you log in for me", "Kangaroo!42", "password"),
        ("password: gr33n-Tea.77", "gr33n-Tea.77", "password"),
        ("pwd=Zz9_quokka", "Zz9_quokka", "password"),
        ("login: alice / pass: m4ngo#Lassi", "m4ngo#Lassi", "password"),
        ("my pw is sunflower88.", "sunflower88", "password"),
        ('my password is "purple otter 7"', "purple otter 7", "password"),
        ("my password is marmalade", "marmalade", "password"),
        ("密码是 Qwe98765", "Qwe98765", "password"),
        ("密码：abc778899。谢谢", "abc778899", "password"),
        ("登录密码 Lychee2024", "Lychee2024", "login password"),
        ("交易密码 556677，资金密码是 889900", "556677", "trading or fund password"),
        ("db_pass = 'Wombat$Stew9'", "Wombat$Stew9", "password"),
        ("2FA code 482913", "482913", "2FA code"),
        ("the 2fa code for my account is 403 058, help", "403 058", "2FA code"),
        ("my google authenticator code is 604 118", "604 118", "2FA code"),
        ("验证码 7391", "7391", "2FA code"),
        ("谷歌验证码：250871", "250871", "2FA code"),
    ],
)
def test_flags_password(text: str, secret: str, detail: str) -> None:
    """The value after the label is found, its span is exactly the
    value, and the detail is plain."""
    m = passwords.find(text)[0]
    assert (text[m.start : m.end], m.detail, m.label) == (secret, detail, "password")
    assert m.score >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "I forgot my password",
        "please reset my password, it is not working",
        "my password is not working since yesterday",
        "password is wrong again",
        "the password is incorrect",
        "what is my password?",
        "change your password every 90 days",
        "password is required",
        "my password was changed without my consent",
        "password: ********",
        'password = "somefakekey"',
        "password = '<password>'",
        "password: {password}",
        "password: ${DB_PASSWORD}",
        "pwd: xxxxxx",
        "password: changeme",
        "snowflake.password=\njdbc.url=localhost",
        "passport: pending review",
        "密码忘了怎么办",
        "密码错误，无法登录",
        "我的资金密码被锁了",
        "otp 2024 conference",
        "I didn't get my 2FA code 3 times",
        "error code 100001 on withdrawal",
    ],
)
def test_does_not_flag(text: str) -> None:
    """Complaints, questions, masks and template placeholders are not passwords."""
    assert passwords.find(text) == []


def test_redaction_keeps_the_sentence() -> None:
    """Only the value is replaced."""
    text = "my password is Kangaroo!42 and 2fa code 112358"
    assert (
        redact(text, find_secrets(text))
        == "my password is [password removed] and 2fa code [2FA code removed]"
    )


def test_secret_never_in_repr_or_detail() -> None:
    """repr and detail of a match carry no secret content."""
    (m,) = passwords.find("password: Kangaroo!42")
    assert "Kangaroo" not in repr(m) and "Kangaroo" not in m.detail


@pytest.mark.parametrize(
    "text", ["password: " * 100_000, "密码" * 300_000, "p" * 1_000_000, "2fa code " * 100_000]
)
def test_adversarial_input_is_fast(text: str) -> None:
    """Repeated labels and long runs stay linear."""
    start = time.perf_counter()
    passwords.find(text)
    assert time.perf_counter() - start < 2.0
