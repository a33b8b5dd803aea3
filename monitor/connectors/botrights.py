"""What the bot may do in each place (delete, restrict, ban, unban), read now and then, not per
post."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable

from monitor.core.models import ENFORCEMENT

# Rights change seldom (an owner promotes or demotes the bot); a refusal tells the rest sooner.
REFRESH_SECONDS = 600.0
Rights = frozenset[str] | None  # None: not known, and the platform's answer to an action tells
EVERYTHING: frozenset[str] = frozenset(ENFORCEMENT)
NOTHING: frozenset[str] = frozenset()


class TimedRights:
    """Each place's rights, read at most once per REFRESH_SECONDS; a failed read leaves them unknown
    (None), is logged once per place, and is tried again after the same wait."""

    def __init__(self, refused: tuple[type[Exception], ...], log: logging.Logger,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.refused = refused  # the errors that mean "cannot tell now", not a bug
        self.log = log
        self.clock = clock
        self._known: dict[Hashable, tuple[float, Rights]] = {}
        self._locks: dict[Hashable, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._failed: set[Hashable] = set()

    async def get(self, place: Hashable, fetch: Callable[[], Awaitable[frozenset[str]]],
                  why: Callable[[Exception], str]) -> Rights:
        """The place's rights, read again when older than REFRESH_SECONDS; why(exc) is the log line
        for a failed read, naming the place and the platform's reason."""
        async with self._locks[place]:  # one read per place at a time, however many posts wait
            when, rights = self._known.get(place, (None, None))
            if when is not None and self.clock() - when < REFRESH_SECONDS:
                return rights
            try:
                rights = await fetch()
                self._failed.discard(place)
            except self.refused as exc:  # the post goes on with its rights unknown
                rights = None
                if place not in self._failed:
                    self._failed.add(place)
                    self.log.warning(why(exc))
            self._known[place] = (self.clock(), rights)
            return rights

    def forget(self, place: Hashable) -> None:
        """Drop a place's rights (the bot was promoted or demoted): the next get reads again."""
        self._known.pop(place, None)
