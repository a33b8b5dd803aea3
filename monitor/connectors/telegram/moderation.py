"""The bot's rights in a group (getChatMember on itself) and what it does with them: restrict, ban
and unban a member."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast

from telegram import Bot, ChatMember, ChatMemberAdministrator, ChatPermissions
from telegram.error import TelegramError

from monitor.connectors.backoff import Backoff
from monitor.connectors.botrights import EVERYTHING, NOTHING, Rights, TimedRights
from monitor.connectors.telegram.calls import call, describe
from monitor.core.models import Action

log = logging.getLogger("monitor.connectors.telegram")
# What the team must grant, named as Telegram's admin settings name them.
NEEDS = {"delete": "Delete messages", "restrict": "Ban users", "ban": "Ban users",
         "unban": "Ban users"}


def rights_cache(clock: Callable[[], float] = time.monotonic) -> TimedRights:
    """Each group's rights of the bot, kept for a while; a failed read is a TelegramError."""
    return TimedRights((TelegramError,), log, clock)


async def rights_in(cache: TimedRights, bot: Bot, chat_id: int, backoff: Backoff) -> Rights:
    """What the bot may do in a group, read again when old; None when Telegram would not say."""

    async def fetch() -> frozenset[str]:
        me = await call(lambda: bot.get_chat_member(chat_id, bot.id), "getChatMember", backoff,
                        attempts=2)
        return may(me)

    def why(exc: Exception) -> str:  # the cache refuses only TelegramError (rights_cache)
        return (f"telegram: cannot read the bot's rights in chat {chat_id} "
                f"({describe(cast(TelegramError, exc))}); its actions there are tried and may fail")

    return await cache.get(chat_id, fetch, why)


def may(member: ChatMember) -> frozenset[str]:
    """The enforcement kinds a ChatMember's status and rights allow: the owner all, an admin those
    its rights name (restricting, banning and unbanning are one right), anyone else none."""
    if member.status == ChatMember.OWNER:
        return EVERYTHING
    if not isinstance(member, ChatMemberAdministrator):
        return NOTHING
    kinds = {"delete"} if member.can_delete_messages else set()
    if member.can_restrict_members:
        kinds |= {"restrict", "ban", "unban"}
    return frozenset(kinds)


def place_and_user(action: Action) -> tuple[int, int]:
    """(chat id, user id) of a restrict, ban or unban; a ValueError names the shape wanted."""
    try:
        return int(action.place), int(action.target)
    except ValueError:
        raise ValueError(f"a Telegram {action.kind} needs the group's chat id as its place and the "
                         "user id as its target") from None


async def restrict(bot: Bot, action: Action, minutes: int, backoff: Backoff) -> str:
    """Take the member's right to write for `minutes` (Telegram lifts it by itself then)."""
    chat_id, user_id = place_and_user(action)
    until = datetime.now(UTC) + timedelta(minutes=minutes)
    await call(lambda: bot.restrict_chat_member(chat_id, user_id, ChatPermissions.no_permissions(),
                                                until_date=until), "restrictChatMember", backoff)
    return f"restricted until {until:%Y-%m-%d %H:%M} UTC"


async def ban(bot: Bot, action: Action, backoff: Backoff) -> str:
    """Remove the member and keep them out for good."""
    chat_id, user_id = place_and_user(action)
    await call(lambda: bot.ban_chat_member(chat_id, user_id), "banChatMember", backoff)
    return "banned"


async def unban(bot: Bot, action: Action, backoff: Backoff) -> str:
    """Undo a ban or a restriction, whichever the member is under now; a member who is under
    neither is left alone (an unban of a member would remove them from the group)."""
    chat_id, user_id = place_and_user(action)
    member = await call(lambda: bot.get_chat_member(chat_id, user_id), "getChatMember", backoff)
    if member.status == ChatMember.BANNED:
        await call(lambda: bot.unban_chat_member(chat_id, user_id, only_if_banned=True),
                   "unbanChatMember", backoff)
        return "unbanned"
    if member.status == ChatMember.RESTRICTED:
        await call(lambda: bot.restrict_chat_member(chat_id, user_id, _all_allowed()),
                   "restrictChatMember", backoff)
        return "restriction lifted"
    return f"nothing to lift: the member is {member.status}"


def _all_allowed() -> ChatPermissions:
    """Every permission: the group's own defaults then apply to the member again."""
    return ChatPermissions.all_permissions()
