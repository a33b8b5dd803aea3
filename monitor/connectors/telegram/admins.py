"""A group's admins as the Bot API lists them (getChatAdministrators): impostors copy them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import cast

from telegram import Bot, User
from telegram.error import TelegramError

from monitor.connectors.backoff import Backoff
from monitor.connectors.roster import Staff, TimedRoster
from monitor.connectors.telegram.calls import call, describe
from monitor.core.models import Author

log = logging.getLogger("monitor.connectors.telegram")


def admin_roster(clock: Callable[[], float] = time.monotonic) -> TimedRoster:
    """Each group's admins, kept for a while; a refused list is a TelegramError."""
    return TimedRoster((TelegramError,), log, clock)


async def admins_of(roster: TimedRoster, bot: Bot, chat_id: int, backoff: Backoff) -> Staff:
    """The group's admins from the roster, asked for when its list is old."""

    async def fetch() -> Staff:
        members = await call(
            lambda: bot.get_chat_administrators(chat_id),
            "getChatAdministrators",
            backoff,
            attempts=2,
        )
        return tuple(staff_author(m.user) for m in members)

    def why(exc: Exception) -> str:  # the roster refuses only TelegramError (admin_roster)
        return (
            f"telegram: getChatAdministrators in chat {chat_id} "
            f"failed: {describe(cast(TelegramError, exc))}"
        )

    return await roster.get(chat_id, fetch, why)


def staff_author(user: User) -> Author:
    """An admin as an Author; the handle is their username only (no first-name stand-in), since a
    clone is compared with the handle an admin really has."""
    return Author(
        platform="telegram", id=str(user.id), handle=user.username or "", name=user.full_name or ""
    )
