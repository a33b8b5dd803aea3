"""End to end: posts that should and should not give an impersonation finding."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from monitor.classify.base import Detector
from monitor.classify.impersonation import ImpersonationDetector
from monitor.core.config import Brand
from monitor.core.models import Author, Post

NOW = datetime(2026, 3, 10, 12, 0)


def post(
    handle: str,
    text: str,
    *,
    platform: str = "twitter",
    reply_to: str | None = None,
    name: str = "",
    age_days: int | None = None,
) -> Post:
    """A post by a handle, optionally a reply, from an account of a given age."""
    created = NOW - timedelta(days=age_days) if age_days is not None else None
    author = Author(platform, "id-" + handle, handle, name, created_at=created)
    return Post(platform, "p1", author, text, created_at=NOW, reply_to=reply_to)


def flagged(brand: Brand, p: Post) -> str | None:
    """The label of the flagged finding, or None."""
    found = [f for f in ImpersonationDetector(brand).check(p) if f.score >= 0.5]
    return found[0].label if found else None


@pytest.mark.parametrize(
    "p, label",
    [
        (
            post("0kx_support", "Sorry to hear that! DM us and we will sort it out", reply_to="q1"),
            "fake_support_reply",
        ),
        (post("OKXHe1pDesk", "Hello, happy to help"), "lookalike_handle"),
        (post("alice", "Please send your seed phrase to verify the account"), "credential_request"),
        (post("bob", "Official help here: https://okx-support-desk.com/login"), "phishing_link"),
        # a dot hidden
        (post("bob", "links get deleted here, so: okx-support-desk[.]com"), "phishing_link"),
        # an ideographic full stop
        (post("bob", "提现失败请登录okx-help。com处理"), "phishing_link"),
        (post("bob", "login at okx.com.secure-check.io to unlock withdrawals"), "phishing_link"),
        (
            post("helper_amy", "I can help, message me on WhatsApp +44 7700 900123", reply_to="q1"),
            "fake_support_reply",
        ),
        (
            post(
                "kefu_9", "我是欧易客服，可以帮你处理提币问题", platform="telegram", reply_to="q1"
            ),
            "fake_support_reply",
        ),
        (post("amy", "Message me on WhatsApp +44 7700 900123"), "offplatform_contact"),
        (
            post("carol", "Had the same problem, DM me and I can help", reply_to="q1"),
            "fake_support_reply",
        ),
        (post("carol", "DM me, our support team will fix it", reply_to="q1"), "fake_support_reply"),
        # a bare DM ask from a new account
        (post("carol", "dm me", reply_to="q1", age_days=3), "offplatform_contact"),
        (post("dave", "Airdrop is live! Claim now at claim-example-drop.xyz"), "scam_lure"),
        (
            post("欧易客服中心", "您好，请加微信处理", platform="telegram", name="欧易客服"),
            "fake_support_reply",
        ),
        # a stranger claiming in words to be the brand's staff, with nothing else
        (post("lin_88", "我是欧易客服", platform="telegram"), "fake_support_reply"),
        (post("helper_amy", "Hi, I'm from OKX support"), "fake_support_reply"),
        (post("helper_amy", "this is okex customer service"), "fake_support_reply"),
        # traditional script, folded before the Chinese rules read it
        (
            post("lin_88", "您好，我是歐易客服，請把驗證碼告訴我幫您解凍帳戶", platform="telegram"),
            "credential_request",
        ),
        (
            post("lin_88", "您的帳戶存在異常，請下載騰訊會議開啟螢幕共享", platform="telegram"),
            "scam_lure",
        ),
    ],
)
def test_scams_are_flagged(brand: Brand, p: Post, label: str) -> None:
    assert flagged(brand, p) == label


@pytest.mark.parametrize(
    "p",
    [
        post("okx", "Please DM us your UID and we will look into it", reply_to="q1"),
        post(
            "OKXHelpDesk", "Never share your seed phrase. DM us on WhatsApp? No: use the app chat."
        ),
        post(
            "OKXOfficial_English", "Join t.me/okxofficial_english for updates", platform="telegram"
        ),
        post("alice", "Is OKX down? My withdrawal is pending"),
        post("okx_fan", "Loving the new OKX app, great job team!"),
        post(
            "bob",
            "Reminder: support will never ask for your private key. Use https://www.okx.com/help",
        ),
        post("newbie", "first post here", age_days=1),
        post("zhou", "群里这种假客服天天有，大家小心", platform="telegram", reply_to="q1"),
        post("wu", "我的账户被冻结了，提现需要手续费吗？", platform="telegram"),
        post("wu", "我联系了欧易客服，还没回复", platform="telegram"),
        # fans replying to a help request in the words scripts also use
        post(
            "fan_1",
            "您的账户可能被风控限制了，联系官方在线客服吧",
            platform="telegram",
            reply_to="q1",
        ),
        post("fan_1", "为了您的资金安全，建议开启谷歌验证", platform="telegram", reply_to="q1"),
        post("alice", "I contacted OKX support yesterday, still waiting"),
        post("alice", "I am an OKX user and support ignores me"),
        post("alice", "I think this is OKX support being slow again"),  # "this is" mid-sentence
        post("alice", "This is OKX support's fault"),  # a possessive
        post("OKXHelpDesk", "Hi, this is OKX support. Please use the in-app chat."),
        # replies that only ask for a DM, and complaints about customer service, offer no help
        post("dana", "K, text me when you're on the way", reply_to="q1"),
        post("dana", "can't talk now, dm me later", reply_to="q1"),
        post("dana", "Ugh, always awful customer service", reply_to="q1"),
        post("dana", "有空私聊", platform="telegram", reply_to="q1"),
    ],
)
def test_official_and_ordinary_posts_are_not_flagged(brand: Brand, p: Post) -> None:
    assert flagged(brand, p) is None


def test_a_bare_dm_invitation_counts_fully_only_under_a_help_request(brand: Brand) -> None:
    reply = post("dana", "dm me", reply_to="q1")
    assert flagged(brand, reply) is None  # under a friend's message this is chat
    assert flagged(brand, replace(reply, replies_to_request=True)) == "fake_support_reply"
    [finding] = ImpersonationDetector(brand).check(replace(reply, replies_to_request=True))
    assert "replies to a help request with an offer of help or a DM" in finding.evidence


def test_answering_a_help_request_with_a_support_bio_flags_without_any_offer(brand: Brand) -> None:
    answer = replace(
        post("sara_helps_88", "what is your UID? I will look into it", reply_to="q1"),
        replies_to_request=True,
    )
    staff_bio = replace(answer, author=replace(answer.author, bio="OKX Customer Support | 24/7"))
    fan_bio = replace(
        answer, author=replace(answer.author, bio="OKX trader | not financial advice")
    )
    assert flagged(brand, staff_bio) == "lookalike_handle" and flagged(brand, fan_bio) is None
    [finding] = ImpersonationDetector(brand).check(staff_bio)
    assert "answers a help request while its bio claims the brand's support" in finding.evidence
    assert "24/7" not in finding.evidence  # the bio itself is never quoted
    # Elsewhere the bio alone stays under the line: staff write
    # "Support @OKX" on their own accounts too.
    assert flagged(brand, replace(staff_bio, replies_to_request=False)) is None
    trusted = replace(brand, trusted={"twitter": ("sara_helps_88",)})
    assert flagged(trusted, staff_bio) is None


def test_official_handle_is_case_insensitive(brand: Brand) -> None:
    assert ImpersonationDetector(brand).check(post("OKX", "send your seed phrase")) == []


def test_evidence_names_signals_in_plain_words(brand: Brand) -> None:
    p = post("0kx_support", "DM us and we will help", reply_to="q1", age_days=3)
    [finding] = ImpersonationDetector(brand).check(p)
    assert finding.kind == finding.detector == "impersonation"
    for words in (
        "0kx_support looks like brand 'okx' (0→o) + 'support'",
        "account 3 days old",
        "asks to DM",
    ):
        assert words in finding.evidence


def test_evidence_never_quotes_a_secret(brand: Brand) -> None:
    secret = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    p = post("0kx_support", f"verify by sending your seed phrase like: {secret}")
    [finding] = ImpersonationDetector(brand).check(p)
    assert "abandon" not in finding.evidence


def test_a_new_lookalike_scores_higher_than_an_old_one(brand: Brand) -> None:
    det = ImpersonationDetector(brand)
    new = det.check(post("okx_care", "hello", age_days=2))[0].score
    old = det.check(post("okx_care", "hello", age_days=2000))[0].score
    assert new > old


def test_detector_protocol(brand: Brand) -> None:
    assert isinstance(ImpersonationDetector(brand), Detector)


def test_a_referral_sign_up_promo_is_not_read_as_a_drainer(brand: Brand) -> None:
    promo = post(
        "dave", "Airdrop points for new users upon registration: claim at example-app.xyz/join/AB12"
    )
    assert flagged(brand, promo) is None
    assert (
        flagged(brand, post("dave", "Airdrop is live! Claim now at claim-example-drop.xyz"))
        == "scam_lure"
    )
