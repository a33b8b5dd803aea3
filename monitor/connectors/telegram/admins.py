"""The admins of each group the bot is in (getChatAdministrators), kept for a while: impostors copy them."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable

from telegram import Bot, User
from telegram.error import TelegramError

from monitor.connectors.telegram.retry import Backoff, call, describe
from monitor.models import Author

log = logging.getLogger("monitor.connectors.telegram")
# Admins change seldom; a promotion or demotion seen in a chat_member update drops the list at once.
REFRESH_SECONDS = 600.0


class AdminRoster:
    """Each group's admins as Authors, asked for at most once per REFRESH_SECONDS per group."""

    def __init__(self, bot: Bot, backoff: Backoff, clock: Callable[[], float] = time.monotonic) -> None:
        self.bot = bot
        self.backoff = backoff
        self.clock = clock
        self._known: dict[int, tuple[float, tuple[Author, ...]]] = {}
        self._locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)  # one call per group at a time
        self._failed: set[int] = set()

    async def of(self, chat_id: int) -> tuple[Author, ...]:
        """The group's admins; on a refused call the last list known (or none), asked again later."""
        async with self._locks[chat_id]:
            when, staff = self._known.get(chat_id, (None, ()))
            if when is not None and self.clock() - when < REFRESH_SECONDS:
                return staff
            try:
                members = await call(lambda: self.bot.get_chat_administrators(chat_id), "getChatAdministrators",
                                     Backoff(self.backoff.base, self.backoff.cap), attempts=2)
                staff = tuple(staff_author(m.user) for m in members)
                self._failed.discard(chat_id)
            except TelegramError as exc:  # the posts go on without the list rather than wait for it
                if chat_id not in self._failed:
                    self._failed.add(chat_id)
                    log.warning("telegram: getChatAdministrators in chat %s failed: %s", chat_id, describe(exc))
            self._known[chat_id] = (self.clock(), staff)
            return staff

    def forget(self, chat_id: int) -> None:
        """Drop a group's list (someone was promoted or demoted): the next post asks again."""
        self._known.pop(chat_id, None)


def staff_author(user: User) -> Author:
    """An admin as an Author; the handle is their username only (no first-name stand-in), since a
    clone is compared with the handle an admin really has."""
    return Author(platform="telegram", id=str(user.id), handle=user.username or "", name=user.full_name or "")
