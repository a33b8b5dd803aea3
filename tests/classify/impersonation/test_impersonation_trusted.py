"""Accounts the team vouches for (brand.trusted): never flagged for their name or handle, still
checked for what they post."""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor.classify.impersonation import ImpersonationDetector
from monitor.classify.impersonation.verify import verify
from monitor.core.config import Brand
from monitor.core.models import Author, Post


@pytest.fixture
def trusting(brand: Brand) -> Brand:
    """The example brand vouching for a community helpers' account on X."""
    return replace(brand, trusted={"twitter": ("@OKX_Helpers_Community",)})


def _post(handle: str, text: str, platform: str = "twitter") -> Post:
    return Post(
        platform,
        "p1",
        Author(platform, "id-" + handle, handle, "OKX Helpers Support"),
        text,
        reply_to="q1",
    )


def _flagged(brand: Brand, post: Post) -> list[str]:
    return [f.label for f in ImpersonationDetector(brand).check(post) if f.score >= 0.5]


def test_a_trusted_account_is_not_flagged_for_its_name_or_handle(
    brand: Brand, trusting: Brand
) -> None:
    post = _post(
        "okx_helpers_community", "Sorry to hear that, we can help: open a ticket in the app"
    )
    assert _flagged(brand, post)  # brand + "help" in the handle, and an offer of help in a reply
    assert _flagged(trusting, post) == []  # the handle is matched without case or @


def test_what_a_trusted_account_posts_is_still_checked(trusting: Brand) -> None:
    # a hacked account sends users to phishing, asks for secrets or to a look-alike account
    assert _flagged(
        trusting, _post("OKX_Helpers_Community", "log in at okx-verify-login.com to unlock it")
    )
    assert _flagged(
        trusting, _post("OKX_Helpers_Community", "send your seed phrase to verify the wallet")
    )
    assert _flagged(
        trusting, _post("OKX_Helpers_Community", "contact @okx_support_desk, they fix it fast")
    )
    # its own work
    assert _flagged(trusting, _post("OKX_Helpers_Community", "DM me and I can help")) == []
    # X only
    assert _flagged(
        trusting, _post("OKX_Helpers_Community", "Sorry, we can help", platform="telegram")
    )


def test_a_post_naming_a_trusted_account_is_no_sock_puppet(brand: Brand, trusting: Brand) -> None:
    post = Post(
        "twitter",
        "p2",
        Author("twitter", "u9", "dana"),
        "ask @OKX_Helpers_Community, they helped me",
    )
    assert _flagged(brand, post) and _flagged(trusting, post) == []


def test_verify_says_a_trusted_account_is_vouched_for_not_official(trusting: Brand) -> None:
    verdict = verify("@okx_helpers_community", trusting, "twitter")
    assert (verdict.official, verdict.suspicious) == (False, False)
    assert verdict.reasons == [
        "@okx_helpers_community is not an official OKX account; the team vouches for it on twitter"
    ]
