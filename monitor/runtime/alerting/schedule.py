"""The daily digest's clock: sent once a day at [alerts.digest] at (UTC), even across restarts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from monitor.runtime.alerting.routing import Alerting
from monitor.store import Store

log = logging.getLogger("monitor.alerts")
SENT_KEY = "digest:last_sent"  # meta: the UTC date of the last digest sent


def next_run(at: str, now: datetime) -> datetime:
    """The next moment at HH:MM UTC after `now` (today's if still ahead, else tomorrow's)."""
    hours, minutes = (int(part) for part in at.split(":"))
    moment = now.astimezone(UTC).replace(hour=hours, minute=minutes, second=0, microsecond=0)
    return moment if moment > now else moment + timedelta(days=1)


def due(store: Store, at: str, now: datetime) -> bool:
    """Whether today's digest is due: its time has passed and no digest went out today."""
    return now.astimezone(UTC).strftime("%H:%M") >= at and store.meta(SENT_KEY) != _day(now)


async def send_digest(store: Store, alerting: Alerting, build: Callable[[Store], str],
                      now: datetime) -> dict[str, str | None]:
    """Build and send the digest to its channels; recorded as sent for today before the calls,
    so a crash during them never sends it twice."""
    store.set_meta(SENT_KEY, _day(now))
    outcome = await alerting.broadcast(alerting.digest_channels, build(store))
    for name, error in outcome.items():
        log.info("daily digest to %s: %s", name, error or "sent")
    return outcome


async def digest_loop(store: Store, alerting: Alerting, build: Callable[[Store], str],
                      stop: asyncio.Event, clock: Callable[[], datetime] | None = None) -> None:
    """Send the digest each day at its time until stop; a daemon started after today's time
    sends today's at once. An error is logged and tomorrow's goes out all the same."""
    at, clock = alerting.digest_at or "08:00", clock or (lambda: datetime.now(UTC))
    while not stop.is_set():
        now = clock()
        if due(store, at, now):
            try:
                await send_digest(store, alerting, build, now)
            except Exception as exc:  # noqa: BLE001 - the daemon goes on without today's digest
                log.error("daily digest failed (%s: %s)", type(exc).__name__, str(exc)[:200])
        wait = min((next_run(at, clock()) - clock()).total_seconds(), 60.0)
        try:  # a minute at most: a clock change or a sleeping machine is noticed soon
            await asyncio.wait_for(stop.wait(), max(wait, 0.01))
        except TimeoutError:
            pass


def _day(now: datetime) -> str:
    """The UTC date, as the meta table keeps it."""
    return now.astimezone(UTC).date().isoformat()
