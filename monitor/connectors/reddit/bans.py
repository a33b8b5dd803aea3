"""Acting on an account in a subreddit the bot moderates: a ban with a duration (restrict), a
permanent ban, an unban; and a report of an impostor's post to Reddit."""

from __future__ import annotations

import math
from typing import Any

import asyncpraw

from monitor.core.models import Action

MAX_DAYS = 999  # the longest ban with a duration Reddit allows; longer is permanent
REASON_CHARS = 100  # Reddit cuts a ban reason and a report reason at 100 characters
NEEDS = {"delete": "Posts", "restrict": "Access", "ban": "Access", "unban": "Access"}


def days(minutes: int) -> int:
    """A restriction in whole days, as Reddit bans for days (at least one)."""
    return max(1, min(MAX_DAYS, math.ceil(minutes / 1440)))


def account(action: Action) -> tuple[str, str]:
    """(subreddit, user name) of a restrict, ban or unban. The connector's authors are Reddit
    names (profiles are looked up by name, and a ban is given by name), so the target is one;
    ValueError for a place or a target that is not."""
    if not action.place:
        raise ValueError(f"a Reddit {action.kind} needs the subreddit as its place")
    if action.target.startswith("t2_"):
        raise ValueError(f"a Reddit {action.kind} needs the account's name, not its id "
                         f"{action.target}")
    return action.place.removeprefix("r/"), action.target.removeprefix("u/")


async def restrict(reddit: asyncpraw.Reddit, action: Action, minutes: int) -> str:
    """Ban from the subreddit for the restriction's length in days."""
    sub, name = account(action)
    subreddit = await reddit.subreddit(sub)
    await subreddit.banned.add(name, duration=days(minutes), **_why(action))
    return f"banned from r/{sub} for {days(minutes)} day(s)"


async def ban(reddit: asyncpraw.Reddit, action: Action) -> str:
    """Ban from the subreddit for good."""
    sub, name = account(action)
    subreddit = await reddit.subreddit(sub)
    await subreddit.banned.add(name, **_why(action))
    return f"banned from r/{sub}"


async def unban(reddit: asyncpraw.Reddit, action: Action) -> str:
    """Lift a ban, with a duration or not."""
    sub, name = account(action)
    subreddit = await reddit.subreddit(sub)
    await subreddit.banned.remove(name)
    return f"unbanned from r/{sub}"


async def report(thing: Any, action: Action) -> str:
    """Report a post or comment to Reddit with the finding's evidence as the reason."""
    reason = f"Impersonating the brand's support: {action.text}"[:REASON_CHARS]
    await thing.report(reason)
    return f"reported {thing.fullname} to Reddit"


def _why(action: Action) -> dict[str, str]:
    """The ban's reason (shown to moderators, up to 100 characters) and its note (the finding)."""
    return {"ban_reason": action.reason[:REASON_CHARS], "note": action.text[:300]}
