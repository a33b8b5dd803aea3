"""`monitor verify`: official, suspicious and unknown accounts and links."""

from __future__ import annotations

import pytest

from monitor.classify.impersonation.verify import format_verdict, verify
from monitor.config import Brand


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
def test_verify(brand: Brand, target: str, platform: str | None, official: bool, suspicious: bool) -> None:
    verdict = verify(target, brand, platform)
    assert (verdict.official, verdict.suspicious) == (official, suspicious)


def test_verify_uses_the_phishing_list(brand: Brand) -> None:
    verdict = verify("http://wallet-sync-example.invalid", brand, phishing_domains=frozenset({"wallet-sync-example.invalid"}))
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
