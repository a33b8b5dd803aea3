"""X's request budget per endpoint: a tier's starting figures, then what
x-rate-limit-* headers say."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

WINDOW = 900.0  # X's read limits are per 15 minutes
# Requests per 15 minutes per user for the two timelines the connector polls, by access tier. Only
# the start: once X answers, its own x-rate-limit-limit/-remaining/-reset headers are followed.
TIERS: dict[str, dict[str, int]] = {
    "basic": {"mentions": 10, "dms": 15},
    "pro": {"mentions": 300, "dms": 300},
}
ENDPOINTS = {
    "mentions": re.compile(r"/2/users/[^/]+/mentions$"),
    "dms": re.compile(r"/2/dm_events$"),
}


@dataclass
class Window:
    """One endpoint's limit, what is left of it and when it resets (epoch seconds)."""

    limit: int
    remaining: int | None = None
    reset: float = 0.0


class RateBudget:
    """Spends each polled endpoint's requests evenly over X's window, from the headers X sends."""

    def __init__(self, tier: str = "basic", clock: Callable[[], float] = time.time) -> None:
        if tier not in TIERS:
            raise ValueError(f"unknown X access tier {tier!r}; one of {', '.join(TIERS)}")
        self.clock = clock
        self.windows = {name: Window(limit) for name, limit in TIERS[tier].items()}
        self._lock = threading.Lock()  # headers arrive in tweepy's worker threads

    def observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """A requests response hook: note an endpoint's x-rate-limit-* headers."""
        name = next(
            (
                n
                for n, path in ENDPOINTS.items()
                if path.search(requests.utils.urlparse(response.url).path)
            ),
            None,
        )
        headers = response.headers
        if name is None or "x-rate-limit-remaining" not in headers:
            return
        if response.status_code == 429 and "UsageCapExceeded" in response.text:
            return  # the period's cap, not this window's count: the pause is the usage cap's
        with self._lock:
            window = self.windows[name]
            window.limit = int(headers.get("x-rate-limit-limit", window.limit))
            window.remaining = int(headers["x-rate-limit-remaining"])
            window.reset = float(headers.get("x-rate-limit-reset", self.clock() + WINDOW))

    def pages(self, name: str, most: int) -> int:
        """How many requests one poll may make now (0: wait for the reset)."""
        window = self.windows[name]
        if window.remaining is None or self.clock() >= window.reset:
            return most
        return max(0, min(most, window.remaining))

    def wait(self, name: str, interval: float) -> float:
        """Seconds until the next poll: never under the configured interval; what is left of the
        window spread over the time to its reset; until the reset when nothing is left."""
        window = self.windows[name]
        now = self.clock()
        if window.remaining is None or now >= window.reset:  # X sent no figures: the tier's
            return max(interval, WINDOW / max(window.limit, 1))
        if window.remaining <= 0:
            return window.reset - now + 1.0
        return max(interval, (window.reset - now) / window.remaining)
