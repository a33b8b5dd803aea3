"""Subreddits Reddit refuses to list (unknown, banned, private): skipped,
logged once, asked again later."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from asyncprawcore.exceptions import Forbidden, NotFound, Redirect, ResponseException

log = logging.getLogger("monitor.connectors.reddit")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a subreddit could not be read, and when to try it again (monotonic seconds)."""

    reason: str
    retry_at: float


def why(exc: ResponseException) -> str:
    """Reddit's refusal in words; the body is gone by the time
    asyncprawcore raises, the status is not."""
    if isinstance(exc, Redirect):
        return f"no such subreddit (Reddit redirects the name to {exc.path})"
    if isinstance(exc, NotFound):
        return "banned or not found (404)"
    if isinstance(exc, Forbidden):
        return "private or quarantined (403): the bot's account may not read it"
    return f"unavailable (HTTP {exc.response.status})"


class Unreadable:
    """The subreddits currently refused; each is logged when it is first
    refused and when it is back."""

    def __init__(self, retry_after: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.retry_after = retry_after
        self.clock = clock
        self.refused: dict[str, Refusal] = {}

    def due(self, name: str) -> bool:
        """Whether the subreddit should be polled now (never refused, or its wait is over)."""
        refusal = self.refused.get(name)
        return refusal is None or self.clock() >= refusal.retry_at

    def failed(self, name: str, exc: ResponseException) -> None:
        """Note a refusal; log it only when it is new or its reason changed."""
        reason = why(exc)
        known = self.refused.get(name)
        self.refused[name] = Refusal(reason, self.clock() + self.retry_after)
        if known is None or known.reason != reason:
            log.warning(
                "reddit: r/%s skipped: %s; the other subreddits are polled, r/%s is asked "
                "again every %.0fs (check [reddit] subreddits)",
                name,
                reason,
                name,
                self.retry_after,
            )

    def succeeded(self, name: str) -> None:
        """The subreddit answered: forget an earlier refusal, saying so."""
        if self.refused.pop(name, None) is not None:
            log.info("reddit: r/%s can be read again", name)

    def conditions(self) -> dict[str, str]:
        """Each refused subreddit with its reason, for /healthz."""
        return {
            f"r/{name}": f"skipped: {r.reason}; check [reddit] subreddits"
            for name, r in self.refused.items()
        }
