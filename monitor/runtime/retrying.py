"""Database writes retried with backoff while SQLite is locked, busy or out of disk space; the
wait between tries that a stop cuts short."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from typing import TypeVar

from monitor.runtime.metrics import Metrics

log = logging.getLogger("monitor.daemon")
T = TypeVar("T")
FIRST_DELAY = 0.2  # seconds; doubles each attempt
MAX_DELAY = 30.0


def store_error(exc: sqlite3.OperationalError) -> str:
    """A short name for a database error worth waiting out: locked, full or io."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "locked"
    if "full" in text:
        return "full"
    return "io" if "i/o" in text else "other"


async def retry_write(
    write: Callable[[], T], what: str, metrics: Metrics, attempts: int | None = None
) -> T:
    """Call write() until it succeeds; OperationalError is waited out with backoff (attempts=None:
    forever).

    SQLite's own busy_timeout already waited for a lock before the error reached us; a full
    disk leaves the transaction rolled back, so nothing half-written stays behind.
    """
    delay, attempt = FIRST_DELAY, 0
    while True:
        try:
            return write()
        except sqlite3.OperationalError as exc:
            attempt += 1
            kind = store_error(exc)
            metrics.store_errors.inc(kind)
            if kind == "other" or (attempts is not None and attempt >= attempts):
                raise  # a schema or SQL error does not go away by waiting
            log.warning(
                "%s not written (database %s: %s); retrying in %.1fs", what, kind, exc, delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)


async def stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds` for stop; True if it was set."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True
