"""What the sender asks before an action goes out: one reply per post, the guard, the limits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from monitor.core.config import Settings
from monitor.core.models import StoredAction, reason_kind
from monitor.replies.guard import SECRET_REASON, Guard, scrub
from monitor.runtime.limits import Limits, Tally
from monitor.store import Store

Verdict = tuple[str, str]  # (status, reason) for an action that does not go out now


@dataclass(frozen=True, slots=True)
class Outbound:
    """The send-time checks for one brand."""

    guard: Guard
    limits: Limits

    @classmethod
    def from_settings(cls, settings: Settings) -> Outbound:
        """The guard and limits of these settings."""
        return cls(Guard(settings.brand), Limits.from_config(settings.limits))

    def prepare(self, store: Store, stored: StoredAction) -> StoredAction:
        """The action as it should go out: a notice planned with a fallback (a removal notice) is
        sent as its fallback (asking the user to delete) unless the post's delete was sent."""
        if not stored.action.fallback:
            return stored
        deletes = [a for a in store.post_actions(stored.platform, stored.post_id)
                   if a["kind"] == "delete"]
        if deletes and deletes[0]["status"] == "sent":
            return stored  # the post is gone, as the notice says
        text = stored.action.fallback
        store.set_action_text(stored.id, text)
        return replace(stored, action=replace(stored.action, text=text, fallback=""))

    def verdict(self, store: Store, stored: StoredAction, platform: str,
                now: datetime | None = None, tally: Tally | None = None) -> Verdict | None:
        """None when the action may be performed on `platform` now, else its status and reason;
        `tally` is the sending round's look at recent actions (else one is read for this one)."""
        action = stored.action
        # A support pointer and a warning about an impostor may share a post.
        kind = reason_kind(action.reason)
        if action.kind == "reply" and store.reply_went_to(
                action.platform, action.target, kind, stored.id):
            return "skipped", f"duplicate: this post already has a reply ({kind})"
        if reason := self.guard.check_action(action, platform):
            if reason.startswith(SECRET_REASON):  # the stored text must not keep it either
                store.set_action_text(stored.id, scrub(action.text))
            return "failed", f"guard: {reason}"
        return self.limits.check(store, stored, now or datetime.now(UTC), tally)
