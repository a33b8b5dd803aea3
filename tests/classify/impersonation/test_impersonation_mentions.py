"""Accounts named in a post: a look-alike the post sends readers to flags, official
ones and denounced ones do not."""

from __future__ import annotations

import pytest

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.mentions import LABEL, mention_signals
from monitor.classify.text import normalise
from monitor.core.config import Brand


def signals(text: str, brand: Brand, author: str = "") -> list:
    return mention_signals(normalise(text), BrandRegistry.from_brand(brand), author)


@pytest.mark.parametrize(
    "text",
    [
        "I had the same problem, contact @okx_support_desk they fixed it in minutes",
        "reach @0kxhelpdesk on telegram",
        "join t.me/OKX_Helpdesk_Bot now",
        "你的账户已被风控，请联系飞机@okx_help_cn 解封",
        # a warning word far off is the scam's own
        "warning: your account is locked, contact @OKX_Support_Team",
        "file a ticket here: https://linktr.ee/okxsupportdesk",
        "see x.com/0kx_support/status/123",
        "open a ticket with t.me/OKXTicketBot",
        "send a mail to okxsupport@gmail.com, they will sort it",
        "email okx.helpdesk@outlook.com with your UID",
        "open a ticket in our support server discord.gg/okx-support",
        "message u/OKX_Support_Team, they sorted mine",
    ],
)
def test_a_lookalike_the_post_sends_readers_to_flags(brand: Brand, text: str) -> None:
    [signal] = signals(text, brand)
    assert signal.label == LABEL and 0.5 <= signal.weight <= 0.8
    assert signal.words.startswith("names ") and "not an official account" in signal.words


@pytest.mark.parametrize(
    "text",
    [
        "ask @OKXHelpDesk, they answered me in an hour",  # official on X
        "t.me/OKXOfficial_English has the announcements",  # official on Telegram
        "gm @alice and @okx_fan_club",  # not a look-alike
        "mail support@okx.com",  # the brand's own address
        "write to okx.care@okx.com",
        "x.com/okx/status/1 says maintenance",
        "mail john.smith@gmail.com",
        "join discord.gg/aB3xYz9 for the AMA",  # an invite code names no one
        "u/alice_trades answered it below",
        "t.me/joinchat/okxsupport",  # a group invite, not an account
        "beware of @okx_support_desk",
        "@okx_support_desk is a scam, report it",
        "report @okx_support_desk please",
        "@okx_kefu 是骗子",
        "小心 @okx_kefu",
        "Heads up: @0kx_support is not an official OKX account.",  # the bot's own warning
        "提醒：@0kx_support 不是 OKX 官方账号。",
    ],
)
def test_official_ordinary_and_denounced_accounts_do_not(brand: Brand, text: str) -> None:
    assert signals(text, brand) == []


def test_the_author_naming_themselves_is_left_to_the_author_checks(brand: Brand) -> None:
    assert signals("I am @okx_support_desk, DM me", brand, author="OKX_Support_Desk") == []


def test_an_address_is_named_whole_in_the_evidence(brand: Brand) -> None:
    [signal] = signals("send a mail to okxsupport@gmail.com", brand)
    assert signal.words == (
        "names okxsupport@gmail.com, not an official account: "
        "handle okxsupport has brand 'okx' + 'support'"
    )
