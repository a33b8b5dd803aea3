"""A watched subreddit's moderators as Reddit lists them (r/SUB/about/moderators): impostors copy
them, and the bot's own entry says what it may do there."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from asyncprawcore.exceptions import AsyncPrawcoreException

from monitor.connectors.roster import Staff, TimedRoster
from monitor.core.models import Author

log = logging.getLogger("monitor.connectors.reddit")
# A moderator's permissions as Reddit names them, and the enforcement kinds each allows.
ALLOWS = {
    "all": frozenset({"delete", "restrict", "ban", "unban"}),
    "posts": frozenset({"delete"}),
    "access": frozenset({"restrict", "ban", "unban"}),
}


def moderator_roster(clock: Callable[[], float] = time.monotonic) -> TimedRoster:
    """Each watched subreddit's moderators, kept for a while; a refused
    list is an asyncprawcore error."""
    return TimedRoster((AsyncPrawcoreException,), log, clock)


async def refresh(
    roster: TimedRoster,
    subreddit: Any,
    me: str = "",
    rights: dict[str, frozenset[str]] | None = None,
) -> None:
    """Ask for a subreddit's moderators when the roster's list is old (keyed without case,
    as posts name it); the same list tells `rights` what the bot `me` may do there
    (nothing when it is not listed)."""
    key = str(subreddit).casefold()

    async def fetch() -> Staff:
        listed = await subreddit.moderator()
        if rights is not None:
            rights[key] = bot_may(listed, me)
        return tuple(Author(platform="reddit", id=m.name, handle=m.name) for m in listed)

    await roster.get(
        key,
        fetch,
        lambda exc: f"reddit: cannot list the moderators of r/{subreddit} ({type(exc).__name__})",
    )


def bot_may(listed: Iterable[Any], me: str) -> frozenset[str]:
    """What the bot's own entry in a moderator list allows: posts removes, access bans and unbans
    (a restriction is a ban with a duration), all does everything."""
    for moderator in listed:
        if moderator.name.casefold() == me.casefold():
            granted = getattr(moderator, "mod_permissions", None) or ()
            return frozenset().union(*(ALLOWS.get(p, frozenset()) for p in granted))
    return frozenset()


def moderators_of(roster: TimedRoster, subreddit: object) -> Staff:
    """The moderators last listed for a subreddit (none for one not watched)."""
    return roster.last(str(subreddit).casefold())
