"""A watched subreddit's moderators as Reddit lists them (r/SUB/about/moderators): impostors copy them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from asyncprawcore.exceptions import AsyncPrawcoreException

from monitor.connectors.roster import Staff, TimedRoster
from monitor.core.models import Author

log = logging.getLogger("monitor.connectors.reddit")


def moderator_roster(clock: Callable[[], float] = time.monotonic) -> TimedRoster:
    """Each watched subreddit's moderators, kept for a while; a refused list is an asyncprawcore error."""
    return TimedRoster((AsyncPrawcoreException,), log, clock)


async def refresh(roster: TimedRoster, subreddit: Any) -> None:
    """Ask for a subreddit's moderators when the roster's list is old (keyed without case, as posts name it)."""

    async def fetch() -> Staff:
        return tuple(Author(platform="reddit", id=m.name, handle=m.name) for m in await subreddit.moderator())

    await roster.get(str(subreddit).casefold(), fetch,
                     lambda exc: f"reddit: cannot list the moderators of r/{subreddit} ({type(exc).__name__})")


def moderators_of(roster: TimedRoster, subreddit: object) -> Staff:
    """The moderators last listed for a subreddit (none for one not watched)."""
    return roster.last(str(subreddit).casefold())
