"""Links: look-alike, listed and shortened hosts flag; official and ordinary hosts do not."""

from __future__ import annotations

import pytest

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.domains import host_signal, hosts, link_signals, user_name_trick
from monitor.core.config import Brand

PHISHING = frozenset({"wallet-sync-example.invalid"})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("see https://www.okx.com/help now", ["www.okx.com"]),
        ("请访问okx-wallet.io。", ["okx-wallet.io"]),
        ("mail help@okx-care.net", ["okx-care.net"]),
        ("mail okx.helpdesk@outlook.com", ["outlook.com"]),  # a mailbox name is no host
        ("two: a.example.org, b.example.org", ["a.example.org", "b.example.org"]),
        ("e.g. 1.5x returns", []),
        # A public address counts when linked; a version number or a router's address does not.
        (
            "log in at http://94.100.18.96/okx, v1.2.3.4, router http://192.168.1.1",
            ["94.100.18.96"],
        ),
        # Dots hidden from link filters
        (
            "visit okx-support[.]com or okx-help(dot)com or okx-care [dot] net",
            ["okx-support.com", "okx-help.com", "okx-care.net"],
        ),
        ("联系客服okx-help。com", ["okx-help.com"]),
        ("go to okx-help dot com, or okx-desk .io", ["okx-help.com", "okx-desk.io"]),
        ("polka dot dress; the dot com era; like the .com mania; 好的。com", []),
    ],
)
def test_hosts_are_extracted(text: str, expected: list[str]) -> None:
    assert hosts(text) == expected


@pytest.mark.parametrize(
    "host",
    [
        "okx-support.com",  # brand + word
        "okxwallet-claim.xyz",
        "okx.com.verify-login.io",  # subdomain trick
        "оkх.com",  # Cyrillic homograph
        "okx.support",  # the name on another top-level domain
        "ookx.net",  # doubled letter
        "0kx.com",
        "rewards-okex.top",
        "sub.wallet-sync-example.invalid",  # on the operator's list
    ],
)
def test_lookalike_hosts_flag(brand: Brand, host: str) -> None:
    signal = host_signal(host, BrandRegistry.from_brand(brand), PHISHING)
    assert signal and signal.label == "phishing_link" and signal.weight >= 0.5


@pytest.mark.parametrize(
    "host",
    [
        "okx.com",
        "www.okx.com",
        "my.okex.com",
        "example.org",
        "bookxchange.org",
        "okb.com",
        "oks.io",
    ],
)
def test_ordinary_hosts_do_not_flag(brand: Brand, host: str) -> None:
    signal = host_signal(host, BrandRegistry.from_brand(brand), PHISHING)
    assert signal is None or signal.weight < 0.5


def test_shortener_is_only_an_amplifier(brand: Brand) -> None:
    signal = host_signal("bit.ly", BrandRegistry.from_brand(brand), PHISHING)
    assert signal and signal.label == "" and signal.weight < 0.5


def test_typo_rules_for_long_names() -> None:
    reg = BrandRegistry.from_brand(Brand("Examplewallet", ("examplewallet.com",), "", ""))
    for host in (
        "exarnplewallet.com",
        "examplewalet.io",
        "exampelwallet.com",
        "myexamplewallett.net",
    ):
        assert host_signal(host, reg, frozenset()), host
    assert host_signal("samplewall.com", reg, frozenset()) is None


@pytest.mark.parametrize(
    "host",
    [
        "exámplewallet.com",  # accented letter (punycode in the wild)
        "examplew.allet.com",  # a dot splits the name
        "exampleewalllett.com",  # three typos in a 13-letter name
    ],
)
def test_disguised_long_names_flag(host: str) -> None:
    reg = BrandRegistry.from_brand(Brand("Examplewallet", ("examplewallet.com",), "", ""))
    assert host_signal(host, reg, frozenset()), host


def test_one_lookalike_or_neighbour_letter_flags_a_six_letter_name() -> None:
    reg = BrandRegistry.from_brand(Brand("Kraken", ("kraken.com",), "", ""))
    for host in ("krakem.com", "kralen.io", "lraken.net"):  # n/m look alike, l and k are neighbours
        assert host_signal(host, reg, frozenset()), host
    # e and z neither look alike nor touch
    assert host_signal("krakzn.com", reg, frozenset()) is None


@pytest.mark.parametrize(
    "host",
    [
        "exampiewaiiet.com",  # look-alike letters and a neighbour: cheap slips
        "exannplewallet.com",  # 'nn' read as 'm'
        "nnyexamplewallet.io",  # inside a longer label
        "xn--exaplewallet-lbd.com",  # exaƞplewallet: a letter no confusables table folds
    ],
)
def test_long_names_carry_cheap_slips(host: str) -> None:
    reg = BrandRegistry.from_brand(Brand("Examplewallet", ("examplewallet.com",), "", ""))
    signal = host_signal(host, reg, frozenset())
    assert signal and signal.weight >= 0.5, host


def test_long_names_do_not_carry_plain_changes() -> None:
    reg = BrandRegistry.from_brand(Brand("Examplewallet", ("examplewallet.com",), "", ""))
    for host in ("examzqwaxlet.com", "ledgerwallet.com", "simplewallet.io"):
        assert host_signal(host, reg, frozenset()) is None, host


def test_a_fourth_slip_needs_the_first_letter_kept() -> None:
    reg = BrandRegistry.from_brand(Brand("Examplewallet", ("examplewallet.com",), "", ""))
    # three plain changes (cost 3.5) and the e kept
    assert host_signal("exzmplewazlt.com", reg, frozenset())
    # about as far, but the e is gone
    assert host_signal("sxzmplewazlet.com", reg, frozenset()) is None


def test_one_letter_no_table_folds_reads_as_a_homograph() -> None:
    reg = BrandRegistry.from_brand(Brand("Kraken", ("kraken.com",), "", ""))
    signal = host_signal("xn--kraen-jnb.com", reg, frozenset())  # kraƙen
    assert signal and signal.weight >= 0.9 and "look-alike letters" in signal.words


@pytest.mark.parametrize(
    "host", ["krakne-collection.io", "appkralen.com", "krakntrustwallet.com", "loginkrakne.app"]
)
def test_a_typo_next_to_another_word_flags(host: str) -> None:
    reg = BrandRegistry.from_brand(Brand("Kraken", ("kraken.com",), "", ""))
    signal = host_signal(host, reg, frozenset())
    assert signal and "typo of 'kraken' with other words" in signal.words, host
    assert signal.weight >= 0.5


def test_two_lure_words_are_taken_off_and_a_longer_run_of_words_is_read_as_words() -> None:
    reg = BrandRegistry.from_brand(Brand("Kraken", ("kraken.com",), "", ""))
    assert host_signal("krakntrustwallet.com", reg, frozenset())
    signal = host_signal("krakntrustwalletlogin.com", reg, frozenset())
    assert signal and "misspells 'kraken'" in signal.words


def test_a_short_name_inside_a_market_label(brand: Brand) -> None:
    # 'market' is a lure word: a three-letter name inside another word needs one beside it
    assert host_signal("lokxmarket.com", BrandRegistry.from_brand(brand), frozenset())
    assert not host_signal("lokxbazaar.com", BrandRegistry.from_brand(brand), frozenset())


def test_a_short_name_next_to_a_lure_word_with_an_i(brand: Brand) -> None:
    # lure words are compared as skeletons too: 'airdrop' reads 'alrdrop' there
    signal = host_signal("airdrop-okxn.pro", BrandRegistry.from_brand(brand), frozenset())
    assert signal and signal.weight >= 0.5


def test_a_bare_address_is_a_weak_sign_and_a_listed_one_a_strong_one(brand: Brand) -> None:
    reg = BrandRegistry.from_brand(brand)
    weak = host_signal("94.100.18.96", reg, frozenset())
    assert weak is not None and weak.weight == 0.4 and "bare address 94.100.18.96" in weak.words
    listed = host_signal("94.100.18.96", reg, frozenset({"94.100.18.96"}))
    assert listed is not None and listed.weight == 0.95


@pytest.mark.parametrize(
    "text",
    [
        "log in at https://www.okx.com@evil.example/login",
        "https://okx.com:Hunter2-secret@evil.example/",
        "https://0kx-help@evil.example",
    ],
)
def test_a_brand_hidden_in_a_links_user_name_flags(brand: Brand, text: str) -> None:
    [signal] = user_name_trick(text, BrandRegistry.from_brand(brand))
    assert signal.weight >= 0.9 and signal.words.startswith(
        "link to evil.example hides behind the user name"
    )
    assert "hunter2" not in signal.words.casefold()  # what follows the colon is a password


@pytest.mark.parametrize(
    "text", ["ftp://bob:pw@files.example.org", "https://user@example.org", "see okx.com@home"]
)
def test_an_ordinary_user_name_is_no_trick(brand: Brand, text: str) -> None:
    assert list(user_name_trick(text, BrandRegistry.from_brand(brand))) == []


@pytest.mark.parametrize(
    "text",
    [
        "Beware of okx-help[.]com, it is a scam",
        "PSA: fake site okx-help.com is phishing",
        "okx-help.com is not official, report it",
        "got a DM about okx-help.com - don't click it",
        "小心okx-help。com，是钓鱼网站",
    ],
)
def test_a_link_named_to_warn_about_it_stays_under_the_line(brand: Brand, text: str) -> None:
    [signal] = link_signals(text, BrandRegistry.from_brand(brand), frozenset())
    assert signal.weight < 0.5 and signal.words.startswith("names okx-help.com in a warning: ")


@pytest.mark.parametrize(
    "text",
    [
        # the warning word is not next to the link
        "Beware of fakes! The real support is okx-help.com",
        # named once without a warning
        "okx-help.com is fake? no, it fixed my withdrawal: okx-help.com",
    ],
)
def test_a_warning_elsewhere_in_the_post_does_not_cover_a_link(brand: Brand, text: str) -> None:
    [signal] = link_signals(text, BrandRegistry.from_brand(brand), frozenset())
    assert signal.weight >= 0.5


@pytest.mark.parametrize(
    "text, weight, words",
    [
        (
            "log in at [https://www.okx.com/login](https://evil.example/x)",
            0.9,
            "shows OKX's site but opens evil.example",
        ),
        ("[OKX Support](https://evil.example)", 0.85, "names OKX but opens evil.example"),
        ("[欧易官方](https://evil.example)", 0.85, "names OKX but opens evil.example"),
        ("[binance.com](https://evil.example)", 0.7, "shows binance.com but opens evil.example"),
    ],
)
def test_link_text_showing_another_site_than_it_opens(
    brand: Brand, text: str, weight: float, words: str
) -> None:
    [signal] = link_signals(text, BrandRegistry.from_brand(brand), frozenset())
    assert signal.weight == weight and words in signal.words


@pytest.mark.parametrize(
    "text",
    [
        "[okx.com](https://www.okx.com/help)",
        "[Book Xmas deals](https://shop.example)",
        "[docs](https://docs.example)",
    ],
)
def test_honest_link_text_gives_nothing(brand: Brand, text: str) -> None:
    assert list(link_signals(text, BrandRegistry.from_brand(brand), frozenset())) == []
