"""Flagged items for the report, review and serve tests, stored through the real Store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from monitor.core.models import Action, Author, Finding, Post
from monitor.store import Store

# A post an attacker wrote to break the page: markup, a script, an event handler, a script URL.
EVIL_TEXT = ('<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
             '<b>bold</b> "quoted" & </td></tr></table> =HYPERLINK("http://evil.example")')


def add(store: Store, post_id: str, findings: list[Finding], actions: list[tuple[str, str]],
        text: str = "hello", platform: str = "twitter", handle: str = "alice",
        url: str = "", posted: datetime | None = None) -> list[int]:
    """Store one post with its findings and (kind, status) actions; returns the finding ids.

    Without `posted` the post has no time of its own (as if its platform gave none), so the item's
    time is when it was flagged: the tests that backdate findings move the item's time.
    """
    post = Post(platform=platform, id=post_id, author=Author(platform, f"u-{handle}", handle),
                text=text, url=url or f"https://x.com/{handle}/status/{post_id}", created_at=posted)
    reason = f"{findings[0].kind}: {', '.join(sorted({f.label for f in findings}))}"
    planned = [Action(kind, platform, post_id, f"{kind} text", reason) for kind, _ in actions]
    store.record(post, findings, planned, [status for _, status in actions])
    return [f["id"] for f in store.post_findings(platform, post_id)]


def finding(kind: str, label: str, score: float = 0.9, detector: str = "") -> Finding:
    """A finding with plain evidence; the detector is named after the kind unless given."""
    return Finding(kind, label, score, f"{label} signal", detector or kind)


def sample(path: Path) -> tuple[Store, dict[str, list[int]]]:
    """A store with one post of each situation the queue has to handle, and their finding ids."""
    store = Store(path)
    ids = {
        "imp": add(store, "1", [finding("impersonation", "handle")],
                   [("reply", "held"), ("alert", "sent"), ("report", "held")], "DM me for support",
                   handle="okx_helpdesk"),
        "leak": add(store, "2", [finding("secret_leak", "password", detector="secrets")],
                    [("delete", "sent"), ("dm", "sent")], "my password is [password removed]",
                    platform="telegram", handle="bob", url="https://t.me/okx/2"),
        "support": add(store, "3", [finding("support_request", "withdrawal", 0.7)],
                       [("reply", "held")], "withdrawal stuck 3 days", platform="reddit",
                       handle="carol"),
        "two": add(store, "4", [finding("secret_leak", "password", detector="secrets"),
                                finding("secret_leak", "api_key", detector="secrets")],
                   [("reply", "held")], "pw [password removed] key [API key removed]",
                   platform="discord", handle="dave"),
        "evil": add(store, "5", [finding("impersonation", "content")], [("reply", "held")],
                    EVIL_TEXT, handle="<i>mallory</i>", url="javascript:window.__pwned=3"),
    }
    return store, ids
