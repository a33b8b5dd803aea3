"""Bot API calls with Telegram's error handling: flood waits honoured, drops and 5xx retried."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from monitor.connectors.backoff import Backoff, WaitFor, with_backoff

log = logging.getLogger("monitor.connectors.telegram")
T = TypeVar("T")

# python-telegram-bot keeps the HTTP status out of its exceptions; each class stands for one code.
_CODES: tuple[tuple[type[TelegramError], int], ...] = (
    (RetryAfter, 429),
    (Forbidden, 403),
    (InvalidToken, 401),
    (Conflict, 409),
    (BadRequest, 400),
    (ChatMigrated, 400),
)


def error_code(exc: TelegramError) -> int | None:
    """The Bot API error code behind an exception, where the exception class tells it."""
    return next((code for cls, code in _CODES if isinstance(exc, cls)), None)


def describe(exc: TelegramError) -> str:
    """The platform's code and description, e.g. '403 Forbidden: bot was blocked by the user'."""
    code = error_code(exc)
    kind = "timed out" if isinstance(exc, TimedOut) else exc.message
    return f"{code} {kind}" if code else kind


def is_transient(exc: TelegramError) -> bool:
    """Network drops, timeouts and 5xx answers (BadRequest is a
    NetworkError subclass, not transient)."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


def maybe_delivered(exc: TelegramError) -> bool:
    """True when the request may have reached Telegram though no answer came back (a read drop)."""
    cause = exc.__cause__
    if not isinstance(cause, httpx.HTTPError):
        return False  # an HTTP error answer (5xx): Telegram says it did not carry the call out
    return not isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def retry_after_seconds(exc: RetryAfter) -> float:
    """The flood wait in seconds, whichever type this library version gives it as."""
    with warnings.catch_warnings():  # the int form is deprecated in favour of timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def waits(backoff: Backoff, idempotent: bool) -> WaitFor:
    """How long to wait before another try: a flood wait is the platform's own instruction, a
    transient error backs off; anything else, or a drop after which a write may have been carried
    out, is not tried again, so nothing is sent twice."""

    def wait_for(exc: Exception) -> float | None:
        if not isinstance(exc, TelegramError) or (not idempotent and maybe_delivered(exc)):
            return None
        if isinstance(exc, RetryAfter):
            return retry_after_seconds(exc)
        return backoff.delay() if is_transient(exc) else None

    return wait_for


async def call(
    fn: Callable[[], Awaitable[T]],
    what: str,
    backoff: Backoff,
    attempts: int | None = 5,
    idempotent: bool = True,
) -> T:
    """Run one Bot API call, retrying flood waits and transient errors; None attempts means forever.

    A call that is not idempotent (sending a message) is not repeated after a drop that may
    have come after Telegram carried it out, so nothing is sent twice.
    """

    def said(exc: Exception, wait: float) -> None:
        error = describe(exc) if isinstance(exc, TelegramError) else type(exc).__name__
        log.warning("telegram %s failed (%s); retrying in %.1fs", what, error, wait)

    return await with_backoff(
        fn, waits(backoff, idempotent), said, attempts=attempts, backoff=backoff
    )
