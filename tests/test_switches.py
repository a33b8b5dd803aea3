"""Pause and mute: kept in the store across restarts; the sender
leaves held-back actions planned."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from monitor.connectors.replay import ReplayConnector
from monitor.core.config import Settings
from monitor.core.models import Action, Author, Post
from monitor.runtime import daemon
from monitor.runtime.outbound import Outbound
from monitor.store import Store
from monitor.store.switches import muted_platforms, paused, set_muted, set_paused

REASON = "secret_leak: password"


def _leak(store: Store, platform: str, post_id: str) -> None:
    """A leaked password's four planned actions."""
    post = Post(
        platform, post_id, Author(platform, f"u{post_id}", f"user{post_id}"), "[password removed]"
    )
    for kind, target, text in (
        ("delete", post_id, ""),
        ("dm", f"u{post_id}", "Change your password now."),
        ("reply", post_id, "Removed: it held sensitive information."),
        ("alert", "admin", f"{REASON} on {platform}"),
    ):
        store.plan_action(post, Action(kind, platform, target, text, REASON))


def _send(store: Store, outbox: Path, settings: Settings) -> list[tuple[str, str]]:
    """One sender pass through a replay connector; the (kind, platform)
    of every action it performed."""
    connector = ReplayConnector(outbox.with_suffix(".in"), store, outbox)  # only its outbox is used
    asyncio.run(daemon.send_planned(store, [connector], Outbound.from_settings(settings)))
    if not outbox.exists():
        return []
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    outbox.unlink()
    return [(r["kind"], r["platform"]) for r in lines]


def test_paused_sends_only_alerts_and_resume_sends_the_rest(
    tmp_path: Path, settings: Settings
) -> None:
    store = Store(tmp_path / "m.db")
    _leak(store, "reddit", "1")
    set_paused(store, True)
    assert _send(store, tmp_path / "out.jsonl", settings) == [("alert", "reddit")]
    assert {a["kind"]: a["status"] for a in store.post_actions("reddit", "1")} == {
        "delete": "planned",
        "dm": "planned",
        "reply": "planned",
        "alert": "sent",
    }
    store.close()
    store = Store(tmp_path / "m.db")  # a restart keeps the switch
    assert paused(store)
    set_paused(store, False)
    assert sorted(_send(store, tmp_path / "out.jsonl", settings)) == [
        ("delete", "reddit"),
        ("dm", "reddit"),
        ("reply", "reddit"),
    ]


def test_a_muted_platform_waits_while_the_others_send(tmp_path: Path, settings: Settings) -> None:
    store = Store(tmp_path / "m.db")
    _leak(store, "reddit", "1")
    _leak(store, "discord", "2")
    set_muted(store, "reddit", True)
    assert muted_platforms(store) == ["reddit"]
    sent = _send(store, tmp_path / "out.jsonl", settings)
    assert sorted(sent) == [
        ("alert", "discord"),
        ("alert", "reddit"),
        ("delete", "discord"),
        ("dm", "discord"),
        ("reply", "discord"),
    ]
    set_muted(store, "reddit", False)
    assert muted_platforms(store) == []
    assert sorted(_send(store, tmp_path / "out.jsonl", settings)) == [
        ("delete", "reddit"),
        ("dm", "reddit"),
        ("reply", "reddit"),
    ]
