"""The outbound guard: should-refuse and should-pass tables, X length counting, defanging."""

from __future__ import annotations

import random

import pytest

from monitor.core.config import Settings
from monitor.core.models import Action
from monitor.replies.guard import Guard, defang, x_length
from tests.replies.secretgen import leaks

SAFE = (
    "Please use live chat at https://www.okx.com/help or a ticket at "
    "https://okx.com/support/submit-request."
)


@pytest.fixture
def guard(settings: Settings) -> Guard:
    return Guard(settings.brand)


@pytest.mark.parametrize(("sentence", "secret"), leaks(random.Random(5)))
def test_a_text_with_a_secret_is_refused_without_quoting_it(
    guard: Guard, sentence: str, secret: str
) -> None:
    reason = guard.check(f"Thanks! {sentence}", "telegram")
    assert reason is not None and reason.startswith("contains a secret (")
    assert not any(part in reason for part in secret.split())


def test_a_secret_split_by_invisible_characters_is_still_found(guard: Guard) -> None:
    assert (
        guard.check("my password is Tr0ub4dor\u200b-77x ok", "telegram")
        == "contains a secret (password)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Get help at https://okx-support.help/login",
        "Verify at okx.com.verify-login.io now",
        "Open https://www.okx.com@evil.example/help",
        "Chat with us: https://192.168.4.20/chat",
        "Go to https://xn--kx-ptb.com today",  # punycode look-alike
        "Visit оkх.com (Cyrillic letters)",
        "Join t.me/okx_support_desk",
        "Live chat: https://bit.ly/3okx",
        "see docs.python.org for the API",  # harmless, but not the brand's
    ],
)
def test_links_outside_the_brand_domains_are_refused(guard: Guard, text: str) -> None:
    assert (guard.check(text, "discord") or "").startswith(
        "links to 1 domain(s) the brand does not own"
    )


def test_brand_domains_and_subdomains_pass(guard: Guard) -> None:
    assert guard.check(SAFE + " Also www.okex.com and help.okx.com.", "twitter") is None


@pytest.mark.parametrize(
    "text",
    [
        "Please send us your seed phrase so we can verify the wallet.",
        "DM me your 2FA code and we will unlock it",
        "To finish, enter your private key at the official site",
        "Reply with your API secret here",
        "请提供助记词以便核实",
        "請輸入您的密碼完成驗證",
    ],
)
def test_requests_for_credentials_are_refused(guard: Guard, text: str) -> None:
    assert guard.check(text, "telegram") in (
        "asks for a password, seed phrase, private key, API secret or 2FA code",
        "reads like a scam: asks for a seed phrase or private key",
    )


@pytest.mark.parametrize(
    "text",
    [
        "Never share your seed phrase or 2FA code with anyone.",
        "Do not send your password to anyone, including people who claim to be staff.",
        "切勿向任何人提供助记词或验证码。",
        "Have your UID and TxID ready, and share them only in the official chat.",
    ],
)
def test_warnings_about_credentials_pass(guard: Guard, text: str) -> None:
    assert guard.check(text, "telegram") is None


@pytest.mark.parametrize(
    "text",
    [
        "Double your BTC: send 0.1 btc and receive 0.2 back",
        "We offer wallet recovery services for lost funds, 100% legit",
        "Guaranteed profits of 300% returns daily",
    ],
)
def test_scam_like_texts_are_refused(guard: Guard, text: str) -> None:
    assert (guard.check(text, "reddit") or "").startswith("reads like a scam: ")


def test_x_counts_links_as_23_and_cjk_as_2(guard: Guard) -> None:
    assert x_length("a" * 10) == 10
    assert (
        x_length("see https://www.okx.com/support/submit-request/a/very/long/path ok") == 4 + 23 + 3
    )
    assert x_length("提币") == 4
    assert guard.check("a" * 280, "twitter") is None
    assert (
        guard.check("a" * 281, "twitter")
        == "too long for twitter (281 of 280 characters, links counted as 23, CJK as 2)"
    )
    assert (
        guard.check("提" * 141, "twitter") is not None
        and guard.check("提" * 141, "discord") is None
    )
    assert guard.check("a" * 2001, "discord") == "too long for discord (2001 of 2000 characters)"
    assert guard.check("a" * 4000, "twitter", "dm") is None  # X direct messages allow 10,000


def test_empty_texts_are_refused_and_deletes_have_none(guard: Guard) -> None:
    assert guard.check("  ", "telegram") == "empty text"
    assert (
        guard.check_action(
            Action("delete", "telegram", "1", "", "secret_leak: password"), "telegram"
        )
        is None
    )


def test_texts_for_the_managers_may_link_the_platform_but_not_a_foreign_site(guard: Guard) -> None:
    alert = Action(
        "alert", "twitter", "admin", "impersonation on twitter\nhttps://x.com/a/status/1", "r"
    )
    assert guard.check_action(alert, "telegram") is None
    bad = Action("alert", "twitter", "admin", "link to https://evil.example/x", "r")
    assert (guard.check_action(bad, "telegram") or "").startswith("links to")
    assert (
        guard.check_action(Action("dm", "twitter", "1", "https://x.com/a", "r"), "twitter")
        is not None
    )


def test_defang_makes_foreign_hosts_unclickable(guard: Guard, settings: Settings) -> None:
    text = defang(
        "link okx.com.Verify-Login.io\u200b and https://x.com/a/1 and WWW.EVIL.CO and okx.com/help",
        settings.brand.domains,
    )
    assert (
        text == "link okx[.]com[.]Verify-Login[.]io and https://x.com/a/1 and WWW[.]EVIL[.]CO and "
        "okx.com/help"
    )
    assert (
        defang("log in at http://94.100.18.96/okx", settings.brand.domains)
        == "log in at http://94[.]100[.]18[.]96/okx"
    )
    # Chinese punctuation stays as written; a full-width dot is still read as a dot.
    assert defang(
        "已加入白名单，今后：ｅｖｉｌ．ｃｏｍ（okx-fans.example）", settings.brand.domains
    ) == ("已加入白名单，今后：evil[.]com（okx-fans[.]example）")
    assert guard.check(text, "telegram", "alert") is None
