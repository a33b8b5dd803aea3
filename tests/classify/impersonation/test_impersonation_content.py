"""Content signals in English and Chinese, and warnings that must not read as requests."""

from __future__ import annotations

import pytest

from monitor.classify.impersonation.content import content_signals
from monitor.classify.text import normalise


def labels(text: str) -> set[str]:
    """The labels of the content signals for a text."""
    return {s.label for s in content_signals(normalise(text))}


@pytest.mark.parametrize(
    "text, label",
    [
        ("Send me your 12 word recovery phrase so I can verify", "credential_request"),
        ("please provide your private key to restore access", "credential_request"),
        ("You need to validate your wallet on the dapp", "credential_request"),
        ("请提供您的助记词以便核实", "credential_request"),
        ("同步钱包即可解决", "credential_request"),
        ("Contact us on WhatsApp +1 555 013 2233", "offplatform_contact"),
        ("加我微信处理", "offplatform_contact"),
        ("DM me, our support team will fix it", "offplatform_contact"),
        ("I can help you recover your lost funds", "fake_support_reply"),
        ("Drop your SOL wallet address below for the giveaway", "scam_lure"),
        ("Made 5000 USDT after investing just $300, 100% legit", "scam_lure"),
        ("Giving away 5 BTC to random followers, RT to enter", "scam_lure"),
    ],
)
def test_scam_content_signals(text: str, label: str) -> None:
    assert label in labels(text)


@pytest.mark.parametrize(
    "text",
    [
        "Never share your seed phrase with anyone, support will never ask for it",
        "Do not give your private key to people in DMs",
        "My withdrawal has been pending for two days, what should I do?",
        "OKX listed a new token today",
        "I lost my phone and need to reset 2FA",
        "不要把助记词告诉任何人",
    ],
)
def test_ordinary_and_warning_texts_give_no_strong_signal(text: str) -> None:
    assert not any(s.weight >= 0.5 for s in content_signals(normalise(text)))


@pytest.mark.parametrize(
    "text, words",
    [
        ("Sending 2 ETH to one lucky follower! Like, retweet and tag 3 friends", "follows, likes or retweets"),
        ("#FakeExchange froze withdrawals. If affected, DM verified crypto recovery experts", "'recovery' contact"),
        ("free usdt wallet, seed phrase: apple river stone cloud tiger lemon paper honey sugar glass eagle novel",
         "honeypot"),
        ("Start earning daily with our cloud mining plans", "cloud mining"),
        ("Next 100x gem, load your bags before it pumps", "100x"),
        ("Free stock picks: wa.me/15550100100", "WhatsApp"),
        ("Please check your inbox, we sent the details", "check your DMs"),
        ("Claim the airdrop now: connect your wallet on the page", "connect a wallet"),
        ("@launchbot deploy a token named Moon with 1b supply", "deploy a token"),
    ],
)
def test_scam_patterns(text: str, words: str) -> None:
    assert any(words in s.words for s in content_signals(normalise(text)))


@pytest.mark.parametrize(
    "text",
    [
        "$15 giveaway for my followers, retweet to enter",  # a small cash prize is a promo
        "Beware of cloud mining sites that promise daily returns",  # a warning before the words cancels them
        "We deploy the new website on Friday",
        "Search for 100x returns is how people get rekt",
    ],
)
def test_look_alike_but_harmless_texts_stay_low(text: str) -> None:
    assert not any(s.weight >= 0.5 for s in content_signals(normalise(text)))
