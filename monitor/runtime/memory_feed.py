"""Fills the campaign memory detector from the store: all rows at start, new ones every few seconds
(managers decide in other processes: `monitor review`, `monitor serve`, Telegram); and rebuilds the
wave tracker from the store's recent posts at start (and after a reload)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.classify import Detector, Identifier, MemoryDetector, Remembered, WaveDetector
from monitor.core.models import Author, Post
from monitor.store import Store

log = logging.getLogger("monitor.memory")
PRUNE_EVERY = 3600.0  # seconds between two deletions of expired rows from the store
_INLINE = 200  # rows loaded on the event loop itself; more go to a worker thread
WAVES_REFRESH = 5.0  # seconds between two reads of the waves managers dismissed


def refresh(detectors: Iterable[Detector], store: Store, force: bool = False) -> None:
    """Read the memory rows made since each memory detector last read (if it is due), into it."""
    detectors = list(detectors)
    load_waves(detectors, store)
    for detector, now in _due(detectors, force):
        texts, actors = _new_rows(detector, store, now)
        _load(detector, texts, actors, now)
        _prune_store(detector, store, now)


async def pull(detectors: Iterable[Detector], store: Store) -> None:
    """refresh() for the daemon's event loop: the rows are read here, and hashed on a worker thread
    (100,000 remembered texts take seconds at start, while sends wait on the loop)."""
    detectors = list(detectors)
    for waves in (d for d in detectors if isinstance(d, WaveDetector) and not d.loaded):
        # the rows read here (the store is this thread's), hashed on a worker thread
        await asyncio.to_thread(waves.load, _read_back(store, waves))
        log.info("waves: %d recent posts read back", len(waves))
    _dismissed_waves(detectors, store)
    for detector, now in _due(detectors, False):
        texts, actors = _new_rows(detector, store, now)
        if len(texts) + len(actors) > _INLINE:
            await asyncio.to_thread(_load, detector, texts, actors, now)
        else:
            _load(detector, texts, actors, now)
        _prune_store(detector, store, now)


def load_waves(detectors: Iterable[Detector], store: Store) -> None:
    """Rebuild each wave tracker not yet loaded from the store's recent posts (a restart or a
    reload keeps counting the waves under way, and knows the waves already raised), and tell it
    the waves managers dismissed."""
    for detector in detectors:
        if isinstance(detector, WaveDetector) and not detector.loaded:
            detector.load(_read_back(store, detector))
            log.info("waves: %d recent posts read back", len(detector))
    _dismissed_waves(detectors, store)


def _dismissed_waves(detectors: Iterable[Detector], store: Store) -> None:
    """The waves managers dismissed, read every REFRESH_SECONDS into each wave tracker."""
    now = time.time()
    for detector in detectors:
        if isinstance(detector, WaveDetector) and now - detector.pulled_at >= WAVES_REFRESH:
            detector.pulled_at = now
            detector.dismiss(store.dismissed_waves())


def _read_back(store: Store, detector: WaveDetector) -> list[tuple[Post, float, bool, str]]:
    """The stored posts within the tracker's reach of the newest one (the store's time, not the
    clock: a replay's posts keep their own), each with its time, newness and wave."""
    rows = [(r, _epoch(r["at"])) for r in store.recent_posts(detector.max_posts)]
    latest = max((at for _, at in rows), default=0.0)
    posts = [(_post(r), at, r["wave"] or "") for r, at in rows
             if at >= latest - 2 * detector.window]
    return [(post, at, detector.is_new(post, at), wave) for post, at, wave in posts]


def _post(row: dict[str, Any]) -> Post:
    """A stored post as the wave tracker reads it, with its author's history in its place."""
    author = Author(row["platform"], row["author_id"] or "", row["author_handle"] or "",
                    row["author_name"] or "")
    return Post(row["platform"], row["id"], author, row["text"] or "", channel=row["channel"],
                created_at=_time(row["created_at"]), reply_to=row["reply_to"],
                place=row["place"] or "", posts_here=int(row["before"] or 0),
                first_here=_time(row["first_here"]))


def _time(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def _due(detectors: Iterable[Detector], force: bool) -> list[tuple[MemoryDetector, float]]:
    """The memory detectors due for a read, each marked as read now."""
    now = time.time()
    due = []
    for detector in (d for d in detectors if isinstance(d, MemoryDetector)):
        if force or now - detector.pulled_at >= detector.refresh_seconds:
            detector.pulled_at = now
            due.append((detector, now))
    return due


def _new_rows(detector: MemoryDetector, store: Store,
              now: float) -> tuple[list[Remembered], list[Remembered]]:
    """The rows the detector has not read, made within its expiry."""
    since = _iso(now - detector.ttl)
    texts: list[Remembered] = []
    while batch := store.memory_rows("memory_texts", texts[-1].id if texts else detector.read_texts,
                                     since):
        texts += [_text(r) for r in batch]
    actors: list[Remembered] = []
    while batch := store.memory_rows("memory_actors",
                                     actors[-1].id if actors else detector.read_actors, since):
        actors += [_actor(r) for r in batch]
    return texts, actors


def _load(detector: MemoryDetector, texts: list[Remembered], actors: list[Remembered],
          now: float) -> None:
    """New rows into the detector, expired ones out of it."""
    detector.load_texts(texts, now)
    detector.load_actors(actors, now)
    detector.prune(now)


def _prune_store(detector: MemoryDetector, store: Store, now: float) -> None:
    """Expired rows out of the store, at start and hourly."""
    if now - detector.pruned_at >= PRUNE_EVERY:
        detector.pruned_at = now
        if gone := store.prune_memory(_iso(now - detector.ttl), detector.copies.scams.limit):
            log.info("campaign memory: %d expired rows deleted", gone)


def _text(row: dict[str, Any]) -> Remembered:
    return Remembered(row["id"], row["finding_id"], bool(row["scam"]), _epoch(row["created_at"]),
                      text=row["text"])


def _actor(row: dict[str, Any]) -> Remembered:
    return Remembered(row["id"], row["finding_id"], bool(row["scam"]), _epoch(row["created_at"]),
                      identifier=Identifier(row["kind"], row["value"]))


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def _iso(epoch: float) -> str:
    return (datetime.fromtimestamp(0, UTC) + timedelta(seconds=epoch)).isoformat(timespec="seconds")
