"""Policy: findings (built here) to actions per kind, in the user's
language, every text guard-clean."""

from __future__ import annotations

import pytest

from monitor.core import policy
from monitor.core.config import Settings
from monitor.core.models import JOINED_GROUP, Action, Author, Finding, Post
from monitor.replies.guard import Guard
from monitor.replies.templates import Templates


def post(
    text: str = "help",
    platform: str = "telegram",
    channel: str = "public",
    handle: str = "alice",
    reply_to: str | None = None,
    url: str = "",
) -> Post:
    return Post(
        platform=platform,
        id="p1",
        author=Author(platform, "u42", handle),
        text=text,
        channel=channel,
        reply_to=reply_to,
        url=url,
    )


def support(label: str = "withdrawal") -> Finding:
    return Finding("support_request", label, 0.8, "asks about a withdrawal", "support")


def leak(label: str) -> Finding:
    return Finding("secret_leak", label, 0.95, "12 words, English, checksum valid", "secrets", "fp")


def impersonation(
    label: str = "lookalike_handle", evidence: str = "handle 0kx_help looks like official okx"
) -> Finding:
    return Finding("impersonation", label, 0.9, evidence, "impersonation")


@pytest.fixture
def templates(settings: Settings) -> Templates:
    return Templates.load(settings.brand)


def _plan(p: Post, findings: list[Finding], templates: Templates) -> list[Action]:
    actions = policy.plan(p, findings, templates)
    guard = Guard(templates.brand)
    for a in actions:  # whatever the policy plans passes the guard
        assert guard.check_action(a, "telegram" if a.kind == "alert" else a.platform) is None, a
    return actions


def test_support_request_in_public_gets_a_short_pointer(
    templates: Templates, settings: Settings
) -> None:
    [reply] = _plan(post("my withdrawal is stuck"), [support()], templates)
    assert (reply.kind, reply.target, reply.reason) == (
        "reply",
        "p1",
        "support_request: withdrawal",
    )
    assert settings.brand.live_chat_url in reply.text and settings.brand.ticket_url in reply.text
    assert "UID and TxID ready" in reply.text


@pytest.mark.parametrize(
    ("text", "marker"), [("提币还没到账", "提币"), ("提幣還沒到帳，請幫忙", "提幣")]
)
def test_support_reply_is_in_the_users_chinese(
    templates: Templates, text: str, marker: str
) -> None:
    [reply] = _plan(post(text), [support()], templates)
    assert marker in reply.text


def test_support_request_in_a_dm_gets_the_fuller_answer(
    templates: Templates, settings: Settings
) -> None:
    [dm] = _plan(post("deposit missing", channel="dm"), [support("deposit")], templates)
    assert (dm.kind, dm.target) == ("dm", "u42")
    assert "Safety reminder" in dm.text and settings.brand.help_center_url in dm.text


def test_unknown_support_topic_uses_the_default_text(templates: Templates) -> None:
    [reply] = _plan(post("hello?"), [support("other")], templates)
    assert reply.text == templates.render("support_request", "en", "public")


def test_leaked_secret_is_deleted_advised_privately_and_noticed_publicly(
    templates: Templates,
) -> None:
    actions = _plan(
        post("my phrase is [seed phrase removed: 12 words]", channel="group"),
        [leak("seed_phrase")],
        templates,
    )
    assert [a.kind for a in actions] == ["delete", "dm", "reply", "alert"]
    delete, dm, reply, alert = actions
    assert delete.target == "p1" and dm.target == "u42" and alert.target == policy.ADMIN_TARGET
    assert "new wallet" in dm.text
    assert reply.text == templates.render("secret_leak", "en", "public", "removed")


def test_a_group_admin_gets_no_support_pointer_but_a_leak_of_theirs_is_still_removed(
    templates: Templates,
) -> None:
    author = Author("telegram", "u42", "alice")
    admin = Post(
        "telegram",
        "p1",
        author,
        "withdrawals are slow today, the team is on it",
        "group",
        staff=(author,),
    )
    assert admin.by_staff and _plan(admin, [support()], templates) == []
    assert [a.kind for a in _plan(admin, [leak("seed_phrase")], templates)] == [
        "delete",
        "dm",
        "reply",
        "alert",
    ]


def test_several_leaked_types_get_the_general_advice(templates: Templates) -> None:
    actions = _plan(post("x"), [leak("password"), leak("api_key")], templates)
    dm = next(a for a in actions if a.kind == "dm")
    assert "API key" in dm.text and "password" in dm.text and "new wallet" in dm.text
    assert dm.reason == "secret_leak: api_key, password"


def test_on_x_a_leak_cannot_be_deleted_so_the_notice_asks_for_it(templates: Templates) -> None:
    actions = _plan(post("x", platform="twitter"), [leak("private_key")], templates)
    assert [a.kind for a in actions] == ["dm", "reply", "alert"]
    assert "please delete it now" in actions[1].text


def test_a_leak_in_a_dm_gets_no_public_notice(templates: Templates) -> None:
    actions = _plan(post("x", channel="dm"), [leak("password")], templates)
    assert [a.kind for a in actions] == ["delete", "dm", "alert"]


def test_an_impostor_at_the_door_gets_an_alert_that_says_so(templates: Templates) -> None:
    alert, report = _plan(
        post(JOINED_GROUP, handle="okx_helpdesk_team"), [impersonation()], templates
    )
    assert alert.kind == "alert" and "[joined the group]: nothing written yet" in alert.text
    assert report.kind == "report"


def test_impersonator_is_never_answered_the_targeted_user_is_warned(templates: Templates) -> None:
    p = post("DM me for help", handle="0kx_help", reply_to="victim-post")
    reply, alert, report = _plan(p, [impersonation()], templates)
    assert reply.kind == "reply" and reply.target == "victim-post"
    assert (
        "@0kx_help is not an official OKX account" in reply.text
        and "@OKXOfficial_English" in reply.text
    )
    assert alert.kind == "alert" and "impersonation: lookalike_handle" in alert.text
    assert (report.kind, report.target) == ("report", "u42")


def test_impersonator_posting_on_its_own_gets_no_reply(templates: Templates) -> None:
    kinds = [a.kind for a in _plan(post("free airdrop"), [impersonation("scam_lure")], templates)]
    assert kinds == ["alert", "report"]


def test_foreign_links_in_alerts_and_reports_are_defanged(templates: Templates) -> None:
    evidence = "link okx.com.verify-login.io puts official okx.com in front of another domain"
    p = post("claim", reply_to="v", url="https://t.me/c/1/2", handle="okx.support")
    reply, alert, report = _plan(p, [impersonation("phishing_link", evidence)], templates)
    assert "okx[.]com[.]verify-login[.]io" in alert.text and "https://t.me/c/1/2" in alert.text
    assert report.text.startswith("link okx[.]com[.]verify-login[.]io")
    assert "@okx[.]support is not" in reply.text  # a dotted handle must not read as a link


def test_secret_beats_impersonation_beats_support(templates: Templates) -> None:
    actions = _plan(post("x", reply_to="v"), [support(), impersonation(), leak("token")], templates)
    assert {a.reason for a in actions} == {"secret_leak: token"}
    actions = _plan(post("x", reply_to="v"), [support(), impersonation()], templates)
    assert {a.reason for a in actions} == {"impersonation: lookalike_handle"}


def test_the_brands_own_accounts_are_never_answered(templates: Templates) -> None:
    assert (
        policy.plan(post("x", handle="@OKXOfficial_English"), [leak("password")], templates) == []
    )


def test_odd_handles_are_quoted_without_invisible_characters(templates: Templates) -> None:
    p = post("x", handle="\u202eokx\u200b_help " + "a" * 80, reply_to="v")
    reply = policy.plan(p, [impersonation()], templates)[0]
    assert "\u202e" not in reply.text and "\u200b" not in reply.text
    assert "@okx_help" + "a" * (policy.MAX_HANDLE - 8) + " " in reply.text
