"""What the sender asks before an action goes out: one reply per post, the guard, the limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from monitor.core.config import Settings
from monitor.core.models import Action, reason_kind
from monitor.replies.guard import SECRET_REASON, Guard, scrub
from monitor.replies.lang import reply_language
from monitor.replies.templates import Templates
from monitor.runtime.limits import Limits
from monitor.store import Store

Verdict = tuple[str, str]  # (status, reason) for an action that does not go out now


@dataclass(frozen=True, slots=True)
class Outbound:
    """The send-time checks for one brand."""

    guard: Guard
    limits: Limits
    templates: Templates

    @classmethod
    def from_settings(cls, settings: Settings) -> Outbound:
        """The guard, limits and templates of these settings."""
        return cls(Guard(settings.brand), Limits.from_config(settings.limits),
                   Templates.load(settings.brand))

    def prepare(self, store: Store, row: dict[str, Any]) -> dict[str, Any]:
        """The action as it should go out: a removal notice becomes a 'please delete' notice if the
        delete failed."""
        if row["kind"] != "reply" or reason_kind(row["reason"]) != "secret_leak":
            return row
        actions = store.post_actions(row["platform"], row["post_id"])
        deletes = [a for a in actions if a["kind"] == "delete"]
        if not deletes or deletes[0]["status"] == "sent":
            return row  # no delete planned (the notice already asks), or the post is gone
        post = store.post(row["platform"], row["post_id"]) or {"text": ""}
        text = self.templates.render("secret_leak", reply_language(post["text"]), "public", "kept")
        store.set_action_text(row["id"], text)
        return {**row, "text": text}

    def verdict(self, store: Store, row: dict[str, Any], platform: str,
                now: datetime | None = None) -> Verdict | None:
        """None when the action may be performed on `platform` now, else its status and reason."""
        # A support pointer and a warning about an impostor may share a post.
        kind = reason_kind(row["reason"])
        if row["kind"] == "reply" and store.reply_went_to(
                row["platform"], row["target"], kind, row["id"]):
            return "skipped", f"duplicate: this post already has a reply ({kind})"
        action = Action(row["kind"], row["platform"], row["target"], row["text"], row["reason"])
        if reason := self.guard.check_action(action, platform):
            if reason.startswith(SECRET_REASON):  # the stored text must not keep it either
                store.set_action_text(row["id"], scrub(row["text"]))
            return "failed", f"guard: {reason}"
        return self.limits.check(store, row, now or datetime.now(UTC))
