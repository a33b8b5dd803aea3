"""The sender's reads once per round: the rate limits' Tally (the round's own claims counted, only
the cooldowns' window read), the guard's memory of passed texts, and migration 9's indexes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.core.config import Settings
from monitor.core.models import Action, Author, Post
from monitor.replies.guard import PASSED_CACHE, Guard
from monitor.runtime.limits import SKIP, WAIT, Limits
from monitor.store import Store
from monitor.store.action_rows import gone_out_since
from tests.replies.secretgen import leaks

SAFE = "Please use live chat at https://www.okx.com/help."


def plan(store: Store, post_id: str, author: str, reply_to: str | None = None) -> int:
    """A stored post and its planned public reply; the action's id."""
    post = Post("telegram", post_id, Author("telegram", author, author), "help", reply_to=reply_to)
    store.add_post(post)
    action_id = store.plan_action(post, Action("reply", "telegram", post_id, SAFE, "support: x"))
    assert action_id is not None
    return action_id


def one_round(store: Store, limits: Limits) -> list[tuple[str, str] | None]:
    """Each planned action checked against one tally, the cleared ones marked sending."""
    now = datetime.now(UTC)
    tally = limits.tally(store, now)
    verdicts = []
    for stored in store.queued("planned"):
        verdict = limits.check(store, stored, now, tally)
        if verdict is None:
            store.mark_sending(stored.id)
            tally.add(stored)
        verdicts.append(verdict)
    return verdicts


def test_a_rounds_own_claims_count_toward_the_hourly_ceiling(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    for n in range(3):
        plan(store, str(n), f"user{n}")
    verdicts = one_round(store, Limits(user_cooldown=0, thread_cooldown=0, platform_per_hour=2))
    assert verdicts[:2] == [None, None] and verdicts[2] is not None and verdicts[2][0] == WAIT
    # a tally read afresh from the store (a check alone) sees the same two in flight
    third = store.queued("planned")[0]
    assert Limits(0, 0, 2).check(store, third, datetime.now(UTC)) == verdicts[2]


def test_a_rounds_own_claims_start_the_cooldowns(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    plan(store, "1", "alice")
    plan(store, "2", "alice")  # the same author: the user cooldown
    plan(store, "3", "bob", reply_to="9")
    plan(store, "4", "carol", reply_to="9")  # the same thread: the thread cooldown
    verdicts = one_round(store, Limits(user_cooldown=300, thread_cooldown=60,
                                       platform_per_hour=100))
    assert verdicts[0] is None and verdicts[2] is None
    assert verdicts[1] is not None and verdicts[1][0] == SKIP and "user" in verdicts[1][1]
    assert verdicts[3] is not None and verdicts[3][0] == SKIP and "thread" in verdicts[3][1]


def test_cooldowns_read_only_their_window(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    old, recent = plan(store, "1", "alice"), plan(store, "2", "bob")
    now = datetime.now(UTC)
    for action_id, age in ((old, 400), (recent, 100)):
        store.set_action_status(action_id, "sent", "ok")
        when = (now - timedelta(seconds=age)).isoformat(timespec="seconds")
        store.db.execute("UPDATE actions SET updated_at = ? WHERE id = ?", [when, action_id])
    since = (now - timedelta(seconds=300)).isoformat(timespec="seconds")
    assert [r["post_id"] for r in gone_out_since(store, "telegram", ("reply",), since)] == ["2"]
    plan(store, "3", "alice")
    plan(store, "4", "bob")
    verdicts = one_round(store, Limits(user_cooldown=300, thread_cooldown=0,
                                       platform_per_hour=100))
    assert verdicts[0] is None  # alice's answer went out 400 s ago
    assert verdicts[1] is not None and verdicts[1][0] == SKIP  # bob's 100 s ago


def test_the_guard_remembers_passed_texts_only(settings: Settings) -> None:
    guard = Guard(settings.brand)
    assert guard.check(SAFE, "telegram") is None
    assert guard.check(SAFE, "telegram") is None
    assert list(guard._passed) == [(SAFE, "telegram", "reply")]
    sentence, _ = leaks(random.Random(5))[0]
    assert guard.check(sentence, "telegram") is not None
    assert guard.check(sentence, "telegram") is not None  # checked again, never remembered
    assert all(text != sentence for text, _, _ in guard._passed)
    for n in range(PASSED_CACHE + 5):
        guard.check(f"{SAFE} ({n})", "telegram")
    assert len(guard._passed) == PASSED_CACHE


def test_migration_9_indexes_the_senders_reads(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    indexes = {tuple(i.columns) for i in store.db.table("actions").indexes}
    assert ("platform", "status", "updated_at", "kind") in indexes
    assert ("platform", "kind", "target") in indexes
