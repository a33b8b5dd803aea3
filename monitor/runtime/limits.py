"""Rate limits on replies and DMs: per-user and per-thread cooldowns, a per-platform hourly cap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitor.core.config import DEFAULT_LIMITS
from monitor.core.models import StoredAction, reason_kind
from monitor.store import Store
from monitor.store.action_rows import count_gone_out, gone_out_since
from monitor.store.sqlite import stored_action, utcnow

# Only what users read is limited: a delete, an alert or a report is never held back.
LIMITED = ("reply", "dm")
# Cooldowns only pace support answers: a warning about an impostor in the thread and the advice to
# a user who leaked a secret must go out even right after another answer (the ceiling still holds).
SAFETY = ("impersonation", "secret_leak")
SKIP = "skipped"
WAIT = "planned"  # stays planned and goes out once the platform is under its ceiling again
# author (or thread) -> post id -> when the latest such action for that post went out
Times = dict[str, dict[str, str]]


@dataclass(frozen=True, slots=True)
class Limits:
    """Cooldowns in seconds and the most replies plus DMs one platform gets per hour."""

    user_cooldown: float = DEFAULT_LIMITS["user_cooldown"]
    thread_cooldown: float = DEFAULT_LIMITS["thread_cooldown"]
    platform_per_hour: int = int(DEFAULT_LIMITS["platform_per_hour"])

    @classmethod
    def from_config(cls, limits: dict[str, float]) -> Limits:
        """From the [limits] table of the settings."""
        return cls(limits["user_cooldown"], limits["thread_cooldown"],
                   int(limits["platform_per_hour"]))

    def tally(self, store: Store, now: datetime) -> Tally:
        """What the checks of one sending round look back on, read as they first need it."""
        return Tally(store, self, now)

    def check(self, store: Store, stored: StoredAction | Mapping[str, Any],
              now: datetime, tally: Tally | None = None) -> tuple[str, str] | None:
        """None when the action may go now, else (status, reason): skipped for a cooldown, or
        planned to wait. (An actions row is read as its stored value.) Without the round's tally,
        one is read for this check alone."""
        if isinstance(stored, Mapping):
            stored = stored_action(dict(stored))
        kind, platform, post_id = stored.kind, stored.platform, stored.post_id
        if kind not in LIMITED:
            return None
        tally = tally or self.tally(store, now)
        if tally.count(platform) >= self.platform_per_hour:
            return WAIT, (f"rate limit: {self.platform_per_hour} replies an hour"
                          f" on {platform}")
        if reason_kind(stored.action.reason) in SAFETY:
            return None
        post = tally.post(platform, post_id)
        user = tally.last_to_author(platform, post.get("author_id", ""), post_id)
        if _within(user, now, self.user_cooldown):
            return SKIP, (f"rate limit: this user had an answer less than"
                          f" {self.user_cooldown:.0f}s ago")
        thread = post.get("reply_to") or post_id
        last = tally.last_in_thread(platform, thread, post_id)
        if kind == "reply" and _within(last, now, self.thread_cooldown):
            return SKIP, (f"rate limit: this thread had a reply less than"
                          f" {self.thread_cooldown:.0f}s ago")
        return None


class Tally:
    """Replies and DMs gone out (sent or being sent), read once per sending round and platform
    instead of once per action: how many in the last hour (up to the ceiling), and when each went
    out within the longest cooldown, by author and by thread. The round's own claims are added as
    they are made, as the store's rows would count them. The hour and the cooldowns' window are
    those of the round's start; each check still measures a cooldown from its own `now`."""

    def __init__(self, store: Store, limits: Limits, now: datetime) -> None:
        self.store, self.limits = store, limits
        self.hour_ago = _iso(now - timedelta(hours=1))
        cooldown = max(limits.user_cooldown, limits.thread_cooldown, 0)
        self.look_back = _iso(now - timedelta(seconds=cooldown))
        self._counts: dict[str, int] = {}
        self._authors: dict[str, Times] = {}
        self._threads: dict[str, Times] = {}
        self._posts: dict[tuple[str, str], dict[str, Any]] = {}

    def count(self, platform: str) -> int:
        """Replies plus DMs gone out on a platform in the hour (counted up to the ceiling)."""
        if platform not in self._counts:
            self._counts[platform] = count_gone_out(
                self.store, platform, LIMITED, self.hour_ago, self.limits.platform_per_hour)
        return self._counts[platform]

    def post(self, platform: str, post_id: str) -> dict[str, Any]:
        """A stored post's row ({} when there is none), read once a round."""
        key = (platform, post_id)
        if key not in self._posts:
            self._posts[key] = self.store.post(platform, post_id) or {}
        return self._posts[key]

    def last_to_author(self, platform: str, author_id: str, exclude_post: str) -> str | None:
        """When a reply or DM last went out for another post by this author, within the window."""
        return _latest(self._recent(platform)[0].get(author_id, {}), exclude_post)

    def last_in_thread(self, platform: str, thread: str, exclude_post: str) -> str | None:
        """When a reply last went out for another post of this thread, within the window."""
        return _latest(self._recent(platform)[1].get(thread, {}), exclude_post)

    def add(self, stored: StoredAction) -> None:
        """Count an action just marked sending, at the time the mark wrote (a platform not read
        yet is read later, from the store, where the mark already is)."""
        if stored.kind not in LIMITED:
            return
        if stored.platform in self._counts:
            self._counts[stored.platform] += 1
        if stored.platform not in self._authors:
            return
        post = self.post(stored.platform, stored.post_id)
        if post:  # the store's rows are joined to their post
            thread = post["id"] if post.get("reply_to") is None else post["reply_to"]
            self._note(stored.platform, stored.post_id, stored.kind, utcnow(),
                       post.get("author_id"), thread)

    def _recent(self, platform: str) -> tuple[Times, Times]:
        """The platform's by-author and by-thread times, read on first use."""
        if platform not in self._authors:
            self._authors[platform], self._threads[platform] = {}, {}
            for row in gone_out_since(self.store, platform, LIMITED, self.look_back):
                self._note(platform, row["post_id"], row["kind"], row["updated_at"],
                           row["author_id"], row["thread"])
        return self._authors[platform], self._threads[platform]

    def _note(self, platform: str, post_id: str, kind: str, when: str,
              author_id: str | None, thread: str | None) -> None:
        """One action gone out, under its post's author and (a reply) its thread."""
        if author_id is not None:
            _later(self._authors[platform].setdefault(author_id, {}), post_id, when)
        if kind == "reply" and thread is not None:
            _later(self._threads[platform].setdefault(thread, {}), post_id, when)


def _later(times: dict[str, str], post_id: str, when: str) -> None:
    """Keep the later of a post's known time and `when`."""
    if when > times.get(post_id, ""):
        times[post_id] = when


def _latest(times: dict[str, str], exclude_post: str) -> str | None:
    """The latest time of any post but one, or None."""
    return max((t for p, t in times.items() if p != exclude_post), default=None)


def _within(when: str | None, now: datetime, seconds: float) -> bool:
    """Whether an ISO time lies less than `seconds` before now."""
    return when is not None and now - datetime.fromisoformat(when) < timedelta(seconds=seconds)


def _iso(moment: datetime) -> str:
    """A time in the store's format (ISO-8601, UTC, whole seconds)."""
    return moment.isoformat(timespec="seconds")
