"""Hosts that mislead without the brand's name: lure-named hosts and
another domain worn in front."""

from __future__ import annotations

import pytest

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.domains import host_signal, link_signals
from monitor.classify.impersonation.hostnames import foreign_front, lure_named
from monitor.core.config import Brand


@pytest.mark.parametrize(
    "host, named",
    [
        ("claim-usdt-bonus.top", "claim + usdt + bonus"),
        ("restore-seed-phrase.app", "restore + seed + phrase"),
        ("walletrecovery-verify.net", "wallet + recovery + verify"),
        ("nft-giveaway2026.xyz", "nft + giveaway"),  # a number glues words
        # plural, and the singular's kind wins over domain_words' glue
        ("get-ethrewards.site", "eth + reward"),
        ("promo.claim-erc-20-tokens.ga", "claim + erc20 + token"),  # any label; erc-20 is one word
    ],
)
def test_hosts_named_for_a_crypto_lure_flag(host: str, named: str) -> None:
    signal = lure_named(host)
    assert (
        signal
        and signal.label == "phishing_link"
        and signal.weight >= 0.5
        and f"({named})" in signal.words
    )


@pytest.mark.parametrize(
    "host, named",
    [
        ("kyc-verify-account.com", "kyc + verify + account"),
        ("unlock2fa.net", "unlock + 2fa"),
        ("signin-password.top", "signin + password"),  # two account words
        ("wallet-update.io", "wallet + update"),  # a crypto lure, in any label
    ],
)
def test_hosts_named_for_an_account_lure_flag(host: str, named: str) -> None:
    signal = lure_named(host)
    assert signal and signal.weight >= 0.5 and f"({named})" in signal.words


def test_an_account_lure_counts_only_in_the_registered_name() -> None:
    # A company's own subdomains are named so; the registered name is where a brand would stand.
    assert lure_named("account-recovery.example.com") is None
    assert lure_named("login.example.com") is None  # one word


@pytest.mark.parametrize(
    "host",
    [
        "walletconnect.com",  # crypto + glue, no lure
        "airdrops.io",  # one word
        "claim.example.org",  # a lure with no crypto word
        "rewardsnetwork.com",
        "tokenterminal.com",  # a word outside the lists
        "coinmarketcap.com",
        "bitcoin.org",
    ],
)
def test_ordinary_crypto_hosts_are_not_lure_named(host: str) -> None:
    assert lure_named(host) is None


@pytest.mark.parametrize(
    "host, front",
    [
        ("phantomwallet.io.connect-node.xyz", "phantomwallet.io"),
        ("uniswap.org.airdrop.example.net", "uniswap.org"),
        ("login.example.com.session-check.info", "login.example.com"),
    ],
)
def test_a_domain_worn_in_front_of_another_flags(host: str, front: str) -> None:
    signal = foreign_front(host)
    assert signal and signal.weight >= 0.5 and f"puts the domain {front} in front" in signal.words


@pytest.mark.parametrize(
    "host",
    [
        "example.com.au",
        "www.bbc.co.uk",
        "shop.example.com",
        "docs.example.io",
        "a.b.c.org",
        "acme.app.box.com",
    ],
)
def test_country_endings_and_subdomains_are_no_trick(host: str) -> None:
    assert foreign_front(host) is None


def test_official_and_allowed_hosts_pass_before_these_checks(brand: Brand) -> None:
    reg = BrandRegistry.from_brand(brand)
    # official, though named like a lure
    assert host_signal("claim-usdt.okx.com", reg, frozenset()) is None
    assert (
        host_signal("claim-usdt-bonus.top", reg, frozenset(), frozenset({"claim-usdt-bonus.top"}))
        is None
    )
    found = host_signal("claim-usdt-bonus.top", reg, frozenset())
    assert found and found.weight >= 0.5


def test_a_lure_named_link_in_a_warning_stays_under_the_line(brand: Brand) -> None:
    reg = BrandRegistry.from_brand(brand)
    [scam] = link_signals("Withdrawal stuck? Fix it at claim-usdt-bonus[.]top", reg, frozenset())
    [warning] = link_signals("careful, claim-usdt-bonus.top is phishing", reg, frozenset())
    assert scam.weight >= 0.5 and warning.weight < 0.5
