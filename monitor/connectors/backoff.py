"""The one retry loop every connector calls its platform through: waits, backoff, attempts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
# Seconds to wait before trying again after an error, or None when the error is not retried.
WaitFor = Callable[[Exception], float | None]
Said = Callable[[Exception, float], None]  # logs a retry: the error and the wait


@dataclass
class Backoff:
    """Capped exponential delays: base, 2*base, 4*base, ... up to cap; reset after a success."""

    base: float = 0.5
    cap: float = 30.0
    _next: float = 0.0

    def delay(self) -> float:
        """The next delay to wait."""
        current = self._next or self.base
        self._next = min(current * 2, self.cap)
        return current

    def reset(self) -> None:
        """Start from the base delay again."""
        self._next = 0.0


async def with_backoff(
    call: Callable[[], Awaitable[T]],
    wait_for: WaitFor,
    said: Said,
    *,
    attempts: int | None,
    backoff: Backoff | None = None,
) -> T:
    """call() until it returns, up to `attempts` tries (None: forever).

    The platform decides what is worth another try: wait_for(exc) is the wait, its own (a
    Retry-After, a flood wait, a rate window's reset) or the backoff's next delay, and None for
    an error that is raised at once (a refusal; a write that may have been carried out). The last
    try's error is raised as it is, so the caller can name it in the platform's words.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            result = await call()
        except Exception as exc:
            if attempts is not None and attempt >= attempts:
                raise
            wait = wait_for(exc)
            if wait is None:
                raise
            said(exc, wait)
            await asyncio.sleep(wait)
        else:
            if backoff is not None:
                backoff.reset()
            return result
