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
