"""Rate limits on replies and DMs: per-user and per-thread cooldowns, a per-platform hourly cap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitor.core.config import DEFAULT_LIMITS
from monitor.core.models import StoredAction, reason_kind
from monitor.store import Store
from monitor.store.sqlite import stored_action

# Only what users read is limited: a delete, an alert or a report is never held back.
LIMITED = ("reply", "dm")
# Cooldowns only pace support answers: a warning about an impostor in the thread and the advice to
# a user who leaked a secret must go out even right after another answer (the ceiling still holds).
SAFETY = ("impersonation", "secret_leak")
SKIP = "skipped"
WAIT = "planned"  # stays planned and goes out once the platform is under its ceiling again


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

    def check(self, store: Store, stored: StoredAction | Mapping[str, Any],
              now: datetime) -> tuple[str, str] | None:
        """None when the action may go now, else (status, reason): skipped for a cooldown, or
        planned to wait. (An actions row is read as its stored value.)"""
        if isinstance(stored, Mapping):
            stored = stored_action(dict(stored))
        kind, platform, post_id = stored.kind, stored.platform, stored.post_id
        if kind not in LIMITED:
            return None
        sent = store.count_sent(platform, LIMITED, _iso(now - timedelta(hours=1)))
        if sent >= self.platform_per_hour:
            return WAIT, (f"rate limit: {self.platform_per_hour} replies an hour"
                          f" on {platform}")
        if reason_kind(stored.action.reason) in SAFETY:
            return None
        post = store.post(platform, post_id) or {}
        user = store.last_sent(platform, LIMITED, post_id, author_id=post.get("author_id", ""))
        if _within(user, now, self.user_cooldown):
            return SKIP, (f"rate limit: this user had an answer less than"
                          f" {self.user_cooldown:.0f}s ago")
        thread = post.get("reply_to") or post_id
        last = store.last_sent(platform, ("reply",), post_id, thread=thread)
        if kind == "reply" and _within(last, now, self.thread_cooldown):
            return SKIP, (f"rate limit: this thread had a reply less than"
                          f" {self.thread_cooldown:.0f}s ago")
        return None


def _within(when: str | None, now: datetime, seconds: float) -> bool:
    """Whether an ISO time lies less than `seconds` before now."""
    return when is not None and now - datetime.fromisoformat(when) < timedelta(seconds=seconds)


def _iso(moment: datetime) -> str:
    """A time in the store's format (ISO-8601, UTC, whole seconds)."""
    return moment.isoformat(timespec="seconds")
