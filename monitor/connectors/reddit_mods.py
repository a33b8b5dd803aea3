"""The moderators of each watched subreddit (r/SUB/about/moderators), kept for a while: impostors copy them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from asyncprawcore.exceptions import AsyncPrawcoreException

from monitor.models import Author

log = logging.getLogger("monitor.connectors.reddit")
REFRESH_SECONDS = 600.0  # moderator teams change seldom


class ModeratorRoster:
    """Each watched subreddit's moderators as Authors, asked for at most once per REFRESH_SECONDS."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._known: dict[str, tuple[float, tuple[Author, ...]]] = {}
        self._failed: set[str] = set()

    async def refresh(self, subreddit: Any) -> None:
        """Ask for a subreddit's moderators when the list is old; a refusal keeps the last list, logged once."""
        key = str(subreddit).casefold()
        when, mods = self._known.get(key, (None, ()))
        if when is not None and self.clock() - when < REFRESH_SECONDS:
            return
        try:
            mods = tuple(Author(platform="reddit", id=m.name, handle=m.name) for m in await subreddit.moderator())
            self._failed.discard(key)
        except AsyncPrawcoreException as exc:  # the posts go on without the list
            if key not in self._failed:
                self._failed.add(key)
                log.warning("reddit: cannot list the moderators of r/%s (%s)", subreddit, type(exc).__name__)
        self._known[key] = (self.clock(), mods)

    def of(self, subreddit: object) -> tuple[Author, ...]:
        """The moderators last listed for a subreddit (none for one not watched)."""
        return self._known.get(str(subreddit).casefold(), (0.0, ()))[1]
