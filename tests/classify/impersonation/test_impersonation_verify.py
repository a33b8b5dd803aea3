"""`monitor verify`: official, suspicious and unknown accounts and links."""

from __future__ import annotations

import pytest

from monitor.classify.impersonation.verify import format_verdict, verify, verify_text, worst
from monitor.core.config import Brand


@pytest.mark.parametrize(
    "target, platform, official, suspicious",
    [
        ("@okx", "twitter", True, False),
        ("OKXHelpDesk", None, True, False),
        ("https://x.com/OKXHelpDesk", None, True, False),
        ("https://t.me/OKXOfficial_English", None, True, False),
        ("https://www.okx.com/help", None, True, False),
        ("okx", "telegram", False, True),  # official on X, not on Telegram
        ("@0kx_support", "twitter", False, True),
        ("https://x.com/OKXHe1pDesk", None, False, True),
        ("https://okx-verify.com/login", None, False, True),
        ("okx.com.verify-login.io", None, False, True),
        ("@alice", "twitter", False, False),
        ("okxsupport@gmail.com", None, False, True),  # a mailbox dressed as the brand's
        ("mailto:support@okx-help.com", None, False, True),  # a look-alike domain
        ("support@okx.com", None, True, False),
        ("john@gmail.com", None, False, False),
        ("欧易官方客服", None, False, True),  # a display name users copy: brand alias + 客服
        ("歐易客服", "telegram", False, True),
        ("欧易粉丝", None, False, False),
        ("https://example.org", None, False, False),
    ],
)
def test_verify(
    brand: Brand, target: str, platform: str | None, official: bool, suspicious: bool
) -> None:
    verdict = verify(target, brand, platform)
    assert (verdict.official, verdict.suspicious) == (official, suspicious)


def test_verify_uses_the_phishing_list(brand: Brand) -> None:
    verdict = verify(
        "http://wallet-sync-example.invalid",
        brand,
        phishing_domains=frozenset({"wallet-sync-example.invalid"}),
    )
    assert verdict.suspicious and "phishing list" in verdict.reasons[-1]


def test_format_names_the_reasons(brand: Brand) -> None:
    text = format_verdict(verify("@OKXHe1pDesk", brand, "twitter"))
    assert text.splitlines() == [
        "SUSPICIOUS: OKXHe1pDesk",
        "  - @OKXHe1pDesk is not an official OKX account on twitter",
        "  - handle OKXHe1pDesk looks like official OKXHelpDesk (1→l)",
    ]


def test_a_link_without_a_public_host_is_not_read_as_a_handle(brand: Brand) -> None:
    verdict = verify("http://192.168.1.1/", brand)
    assert (verdict.official, verdict.suspicious) == (False, False)
    assert verdict.reasons == ["http://192.168.1.1/ links to no public site, so it is not OKX's"]


@pytest.mark.parametrize(
    "question, expected",
    [
        ("is @okx real?", [("okx", True, False)]),
        (
            "is @0kx_support or okx-help.com real?",
            [("0kx_support", False, True), ("okx-help.com", False, True)],
        ),
        ("这是官方的吗@OKXHelpDesk", [("OKXHelpDesk", True, False)]),
        ("这个网站okx-help.com是官方的吗？", [("okx-help.com", False, True)]),
        # a dot hidden from link filters
        ("这个okx-help。com是官方的吗", [("okx-help.com", False, True)]),
        ("is okx-help[.]com legit?", [("okx-help.com", False, True)]),
        ("is OKXHelpDesk real", [("OKXHelpDesk", True, False)]),  # a known handle written bare
        # a bare word shaped like a handle
        ("is okx_support legit?", [("okx_support", False, True)]),
        ("mail from okxsupport@gmail.com, legit?", [("okxsupport@gmail.com", False, True)]),
        ("check https://www.okx.com/help please", [("www.okx.com", True, False)]),
        ("OKX Support", [("OKX Support", False, True)]),  # nothing but a name: read whole, as one
        ("some random words", [("some random words", False, False)]),
        # spaces inside
        ("is +1 888 555 0100 the okx support number?", [("+1 888 555 0100", False, True)]),
        ("客服电话400-123-4567是真的吗", [("400-123-4567", False, True)]),
        ("is @okx or (888) 555-0100 real", [("okx", True, False), ("(888) 555-0100", False, True)]),
    ],
)
def test_a_question_is_cut_to_the_items_it_names(
    brand: Brand, question: str, expected: list[tuple[str, bool, bool]]
) -> None:
    assert [(v.target, v.official, v.suspicious) for v in verify_text(question, brand)] == expected


def test_at_most_three_items_are_checked(brand: Brand) -> None:
    assert len(verify_text("@a_1 @b_2 @c_3 @d_4", brand)) == 3


def test_a_name_with_spaces_or_other_letters_is_a_display_name(brand: Brand) -> None:
    for name in ("OKX Support", "欧易官方客服"):
        verdict = verify(name, brand)
        assert verdict.suspicious and verdict.reasons[0].startswith(
            f"'{name}' reads as a display name"
        )
    assert not verify("Alice Chen", brand).suspicious


@pytest.mark.parametrize(
    "invite, suspicious",
    [
        ("https://discord.gg/okx-support", True),
        ("discord.com/invite/0kx", True),
        ("https://discord.gg/okx", False),  # named as the brand: may be its own, so only unknown
        ("https://discord.gg/aB3xYz", False),
        ("https://t.me/+AbCdEf123", False),
        ("https://t.me/joinchat/AbCdEf123", False),
    ],
)
def test_an_invite_is_never_official(brand: Brand, invite: str, suspicious: bool) -> None:
    verdict = verify(invite, brand)
    assert (verdict.official, verdict.suspicious) == (False, suspicious)
    assert "invites name no account" in verdict.reasons[0]


def test_the_brand_in_a_links_user_name_is_named(brand: Brand) -> None:
    verdict = verify("https://www.okx.com@evil.example/login", brand)
    assert (verdict.target, verdict.official, verdict.suspicious) == ("evil.example", False, True)
    assert "hides behind the user name 'www.okx.com'" in verdict.reasons[1]


def test_nothing_to_verify_is_an_error(brand: Brand) -> None:
    with pytest.raises(ValueError, match="nothing to verify"):
        verify("  ", brand)


def test_worst_puts_a_suspicious_item_first(brand: Brand) -> None:
    verdicts = verify_text("@okx or @0kx_support or @alice", brand)
    assert worst(verdicts).target == "0kx_support"
    assert worst(verdicts[::2]).target == "alice"  # official and not official: the one not official


def test_a_phone_number_given_as_support_is_suspicious_and_the_answer_names_the_real_channels(
    brand: Brand,
) -> None:
    verdict = verify("tel:+44 20 7946 0958", brand)
    assert (verdict.official, verdict.suspicious) == (False, True)
    assert brand.live_chat_url in verdict.reasons[0] and "ring the scammer" in verdict.reasons[1]
