"""Who runs each place (a group's admins, a subreddit's moderators), asked for
now and then, not per post."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable

from monitor.core.models import Author

# Staff change seldom; a connector that sees a promotion or demotion drops the place's list at once.
REFRESH_SECONDS = 600.0
Staff = tuple[Author, ...]


class TimedRoster:
    """Each place's staff, fetched at most once per REFRESH_SECONDS per place; a refused fetch keeps
    the last list (or none), is logged once per place, and is tried again after the same wait."""

    def __init__(
        self,
        refused: tuple[type[Exception], ...],
        log: logging.Logger,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.refused = refused  # the errors that mean "no list now", not a bug
        self.log = log
        self.clock = clock
        self._known: dict[Hashable, tuple[float, Staff]] = {}
        # one fetch per place at a time
        self._locks: dict[Hashable, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._failed: set[Hashable] = set()

    async def get(
        self,
        place: Hashable,
        fetch: Callable[[], Awaitable[Staff]],
        why: Callable[[Exception], str],
    ) -> Staff:
        """The place's staff, fetched again when the list is older than REFRESH_SECONDS; why(exc) is
        the log line for a refusal, naming the place and the platform's reason."""
        async with self._locks[place]:
            when, staff = self._known.get(place, (None, ()))
            if when is not None and self.clock() - when < REFRESH_SECONDS:
                return staff
            try:
                staff = await fetch()
                self._failed.discard(place)
            except self.refused as exc:  # the posts go on without the list rather than wait for it
                if place not in self._failed:
                    self._failed.add(place)
                    self.log.warning(why(exc))
            self._known[place] = (self.clock(), staff)
            return staff

    def last(self, place: Hashable) -> Staff:
        """The list last fetched for a place (none for a place never asked about)."""
        return self._known.get(place, (0.0, ()))[1]

    def forget(self, place: Hashable) -> None:
        """Drop a place's list: the next get fetches it again."""
        self._known.pop(place, None)
