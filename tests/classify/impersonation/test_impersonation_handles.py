"""Author signals: look-alike handles and names flag, fans and unrelated handles do not."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.claims import claim_signals
from monitor.classify.impersonation.handles import (
    author_signals,
    bio_signals,
    handle_signals,
    name_signals,
)
from monitor.classify.impersonation.signals import combine, evidence
from monitor.core.config import Brand
from monitor.core.models import Author


def flags(signals: list) -> bool:
    """True when a labelled signal reaches the flag line on its own."""
    return any(s.label and s.weight >= 0.5 for s in signals)


@pytest.mark.parametrize(
    "handle",
    [
        "0kx_support",
        "OKXHe1pDesk",
        "okx_helpdesk_",
        "оkх",
        "OKX_Support_Team",
        "okkx",
        "okxcare",
        "0KX",
        "OKXOfficiaI_English",
        "okex_admin",
        "0kxfan",
        "OKX_Ticket_Bot",
        "okx_airdrop",
        "OKXAirdrops2026",
        "claim_okx",
        "okx_login",
        "OKX_KYC",
        "okexsync",
    ],
)
def test_lookalike_handles_flag(brand: Brand, handle: str) -> None:
    assert flags(handle_signals(handle, BrandRegistry.from_brand(brand)))


@pytest.mark.parametrize(
    "handle",
    [
        "alice",
        "okx_fan",
        "okxtrader99",
        "bookworm",
        "lookxyz",
        "crypto_help",
        "LidoFinance",
        "oks",
        "airdrop_hunter",
        "okx_news_daily",
        "okx_author",
    ],
)
def test_ordinary_handles_do_not_flag(brand: Brand, handle: str) -> None:
    assert not flags(handle_signals(handle, BrandRegistry.from_brand(brand)))


@pytest.mark.parametrize(
    "name, flagged",
    [
        ("OKX Support", True),
        ("欧易客服", True),
        ("OKX官方", True),
        ("歐易客服", True),
        ("欧·易 客服🔥", True),
        ("欧易粉丝", False),
        ("OKX fan", False),
        ("Alice", False),
        ("", False),
    ],
)
def test_display_names(brand: Brand, name: str, flagged: bool) -> None:
    assert flags(name_signals(name, BrandRegistry.from_brand(brand))) is flagged


def test_a_display_name_pairing_the_brand_with_a_scam_word_is_a_weak_sign(brand: Brand) -> None:
    [signal] = name_signals("OKX Airdrop 🎁", BrandRegistry.from_brand(brand))
    assert (
        signal.words == "display name 'OKX Airdrop 🎁' pairs brand 'okx' with 'airdrop'"
        and signal.weight < 0.5
    )


def test_a_chinese_brand_name_alone_is_a_weak_sign(brand: Brand) -> None:
    [signal] = name_signals("歐易", BrandRegistry.from_brand(brand))
    assert signal.words == "display name '歐易' is the brand's name" and signal.weight < 0.5


def test_an_alias_configured_in_traditional_script_matches_simplified_text(brand: Brand) -> None:
    reg = BrandRegistry.from_brand(replace(brand, aliases=("歐易",)))
    assert flags(name_signals("欧易客服", reg))
    assert claim_signals("我是欧易客服，请把验证码发给我", reg)


def test_evidence_names_the_swap(brand: Brand) -> None:
    [signal] = handle_signals("0kx_support", BrandRegistry.from_brand(brand))
    assert signal.words == "handle 0kx_support looks like brand 'okx' (0→o) + 'support'"


def test_a_scam_word_beside_the_brand_is_named(brand: Brand) -> None:
    [signal] = handle_signals("okx_airdrop2026", BrandRegistry.from_brand(brand))
    assert (
        signal.words == "handle okx_airdrop2026 has brand 'okx' + 'airdrop', a scam account's word"
    )


def test_account_age_is_measured_against_the_post(brand: Brand) -> None:
    posted = datetime(2026, 3, 10)
    author = Author("twitter", "1", "alice", created_at=posted - timedelta(days=3), followers=5)
    words = [s.words for s in author_signals(author, BrandRegistry.from_brand(brand), posted)]
    assert words == ["account 3 days old", "5 followers"]


def test_a_verified_mark_on_a_look_alike_is_named_but_earns_no_trust(brand: Brand) -> None:
    reg = BrandRegistry.from_brand(brand)
    paid = author_signals(Author("twitter", "1", "0kx_support", verified=True), reg, None)
    plain = author_signals(Author("twitter", "1", "0kx_support", verified=False), reg, None)
    assert combine(paid) == combine(plain)  # the score does not move either way
    assert "has a verified mark, which X sells: no proof it is the brand's" in evidence(paid)
    assert "verified" not in evidence(plain)
    # no look-alike: silent
    assert author_signals(Author("twitter", "2", "alice", verified=True), reg, None) == []


def test_a_reddit_account_without_a_verified_email_is_an_amplifier(brand: Brand) -> None:
    reg = BrandRegistry.from_brand(brand)
    words = [
        s.words for s in author_signals(Author("reddit", "1", "carol", verified=False), reg, None)
    ]
    assert words == ["no verified e-mail"]
    assert author_signals(Author("reddit", "1", "carol", verified=True), reg, None) == []
    # most X users
    assert author_signals(Author("twitter", "1", "carol", verified=False), reg, None) == []


def test_no_age_without_dates(brand: Brand) -> None:
    author = Author("twitter", "1", "alice", created_at=None)
    assert author_signals(author, BrandRegistry.from_brand(brand), None) == []


def test_an_official_personal_account_plus_a_support_word_flags() -> None:
    # a founder's account holds no brand token, so only the official handle itself can catch this
    reg = BrandRegistry.from_brand(
        Brand("Examplecoin", ("examplecoin.org",), "", "", accounts={"twitter": ("JaneFounder",)})
    )
    for handle, words in (
        ("jane_founder_official", "is official JaneFounder + 'official'"),
        ("JaneFounderHelp", "is official JaneFounder + 'help'"),
        ("JaneFoudner", "is 1 typo from official JaneFounder"),
    ):
        signals = [s for s in handle_signals(handle, reg) if s.label and s.weight >= 0.5]
        assert signals and words in signals[0].words, handle
    assert not [s for s in handle_signals("jane_doe", reg) if s.label]


@pytest.mark.parametrize(
    ("bio", "claim"),
    [
        ("OKX Customer Support | DM for help", "'okx' + 'customer'"),
        ("Official OKX help desk, 24/7", "'okx' + 'official'"),
        ("Support @OKX", "'okx' + 'support'"),
        ("0KX support team", "'okx' + 'support'"),  # look-alike letters fold as in handles
        ("欧易官方客服，私信处理提币问题", "'欧易' + '客服'"),  # a Chinese run holds its own words
        ("歐易 客服", "'欧易' + '客服'"),  # traditional script
    ],
)
def test_a_bio_claiming_the_brands_support_is_a_weak_sign(
    brand: Brand, bio: str, claim: str
) -> None:
    [signal] = bio_signals(bio, BrandRegistry.from_brand(brand))
    assert signal.label and signal.weight < 0.5 and signal.words.endswith(claim)


@pytest.mark.parametrize(
    "bio",
    [
        "OKX trader | not financial advice. Report scams!",
        "I love OKX and help newbies",
        "Previously @OKX",
        "Helping with OKX, Binance and Coinbase issues",
        "customer support lead at a bank",
        "OKX Global ambassador",
        "OKX verified merchant, fast release",
        "",
    ],
)
def test_a_fans_bio_is_no_claim(brand: Brand, bio: str) -> None:
    assert bio_signals(bio, BrandRegistry.from_brand(brand)) == []
