"""The send path with the real daemon and store: guard, modes, policy, limits, and
crash/restart exactly-once."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.connectors.replay import ReplayConnector
from monitor.core.config import DEFAULT_POLICY, Settings
from monitor.core.models import Action, Author, Finding, Post
from monitor.core.pipeline import Pipeline
from monitor.replies.guard import Guard
from monitor.runtime import daemon
from monitor.runtime.limits import Limits
from monitor.runtime.outbound import Outbound
from monitor.store import Store
from tests.replies.secretgen import leaks

AUTO = {"support_request": "auto", "impersonation": "auto", "secret_leak": "auto"}
NO_LIMITS = Limits(user_cooldown=0, thread_cooldown=0, platform_per_hour=10_000)


class Crash(BaseException):
    """Stands for the process dying inside a platform call (not an error the sender can catch)."""


class RecordingConnector(ReplayConnector):
    """The replay connector, performing into a list; it can fail deletes or die on a chosen call."""

    def __init__(
        self, path: Path, store: Store, fail_deletes: bool = False, die_on: int | None = None
    ) -> None:
        super().__init__(path, store)
        self.performed: list[Action] = []
        self.fail_deletes = fail_deletes
        self.die_on = die_on
        self.calls = 0

    async def perform(self, action: Action) -> str:
        self.calls += 1
        if self.calls == self.die_on:
            raise Crash()
        if action.kind == "delete" and self.fail_deletes:
            raise PermissionError("bot is not an admin here")
        self.performed.append(action)
        return f"ok {len(self.performed)}"


class SupportStub:
    """A stand-in support detector (the real one is built elsewhere):
    'withdrawal' in the text is a request."""

    kind = "support_request"
    name = "stub"

    def check(self, post: Post) -> list[Finding]:
        if "withdrawal" in post.text:
            return [Finding(self.kind, "withdrawal", 0.9, "mentions a withdrawal", self.name)]
        return []


_DB: dict[str, str] = {}  # tmp_path -> the test's database


@pytest.fixture(autouse=True)
def _backend(tmp_path: Path, store_db: str) -> Iterator[None]:
    """Every test here runs on both backends."""
    _DB[str(tmp_path)] = store_db
    yield
    del _DB[str(tmp_path)]


def line(
    pid: str, text: str, handle: str = "alice", author_id: str | None = None, **extra: Any
) -> str:
    obj = {
        "id": pid,
        "platform": "telegram",
        "channel": "group",
        "text": text,
        "author": {"id": author_id or f"id-{handle}", "handle": handle},
        **extra,
    }
    return json.dumps(obj, ensure_ascii=False)


def pipeline(settings: Settings) -> Pipeline:
    base = Pipeline.from_settings(settings, b"salt")
    return Pipeline(
        base.secrets, [*base.detectors, SupportStub()], base.templates, settings.thresholds
    )


def outbound(settings: Settings, limits: Limits = NO_LIMITS) -> Outbound:
    return replace(Outbound.from_settings(settings), limits=limits)


def start(
    tmp_path: Path, settings: Settings, lines: list[str], modes: dict[str, str] = AUTO, **kw: Any
) -> tuple[Store, RecordingConnector, daemon.Ingest]:
    """A (re)started process: a new store connection on the same files (the store's database is
    the test's `store_db`, an SQLite file or a Postgres database)."""
    stream = tmp_path / "stream.jsonl"
    if not stream.exists():
        stream.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = Store(_DB.get(str(tmp_path), tmp_path / "m.db"))
    ingest = daemon.Ingest(pipeline(settings), store, modes, dry_run=False, policy=DEFAULT_POLICY)
    return store, RecordingConnector(stream, store, **kw), ingest


def run(connector: RecordingConnector, ingest: daemon.Ingest, out: Outbound) -> None:
    asyncio.run(daemon.run([connector], ingest, send_interval=0.01, outbound=out))


def statuses(store: Store) -> dict[tuple[str, str], tuple[str, str]]:
    return {(r["post_id"], r["kind"]): (r["status"], r["result"]) for r in store.db["actions"].rows}


STREAM = [
    line("1", "my withdrawal is stuck for 3 hours", "alice"),
    line("2", "my password is Gr33n-Tea-41 please help", "bob"),
    line("3", "I can help you, DM me now", "0KXHelpDesk", reply_to="1"),
]


def test_crash_between_planning_and_sending_sends_each_reply_exactly_once(
    tmp_path: Path, settings: Settings
) -> None:
    store, connector, ingest = start(tmp_path, settings, STREAM)
    asyncio.run(connector.run(ingest))  # the process dies here: everything planned, nothing sent
    assert {s for s, _ in statuses(store).values()} == {"planned"}
    planned = len(statuses(store))
    store.close()
    # restart: the sender picks them up
    store, connector, ingest = start(tmp_path, settings, STREAM)
    run(connector, ingest, outbound(settings))
    assert len(connector.performed) == planned
    assert {s for s, _ in statuses(store).values()} == {"sent"}
    store.close()
    # and again: nothing goes out twice
    store, connector, ingest = start(tmp_path, settings, STREAM)
    run(connector, ingest, outbound(settings))
    assert connector.performed == []


def test_crash_during_a_platform_call_is_never_resent(tmp_path: Path, settings: Settings) -> None:
    store, connector, ingest = start(tmp_path, settings, STREAM, die_on=2)
    asyncio.run(connector.run(ingest))
    with pytest.raises(Crash):
        asyncio.run(daemon.send_planned(store, [connector], outbound(settings)))
    # The round that was going out when the process died: the call that crashed among them.
    in_flight = list(store.actions("sending"))
    assert len(in_flight) == 3  # the first action of each of the three posts
    store.close()
    store, connector, ingest = start(tmp_path, settings, STREAM)
    run(connector, ingest, outbound(settings))
    resent = {(a.kind, a.target) for a in connector.performed}
    for gone in in_flight:
        row = store.db["actions"].get(gone["id"])
        assert (row["status"], row["result"]) == ("failed", "interrupted during send; not retried")
        assert (row["kind"], row["target"]) not in resent
    assert connector.performed  # the actions not yet claimed went out after the restart


def test_a_text_the_guard_refuses_is_not_sent_and_the_reason_is_recorded(
    tmp_path: Path, settings: Settings
) -> None:
    secret = leaks(random.Random(3))[0][1]
    store, connector, ingest = start(tmp_path, settings, [line("9", "hello", "carol")])
    asyncio.run(connector.run(ingest))
    post = Post("telegram", "9", Author("telegram", "id-carol", "carol"), "hello", "group")
    store.plan_action(
        post,
        Action(
            "reply",
            "telegram",
            "9",
            "Get help at https://okx-help.support/x",
            "support_request: other",
        ),
    )
    store.plan_action(
        post,
        Action("dm", "telegram", "id-carol", f"Your phrase: {secret}", "support_request: other"),
    )
    asyncio.run(daemon.send_planned(store, [connector], outbound(settings)))
    assert connector.performed == []
    result = statuses(store)
    assert result[("9", "reply")] == (
        "failed",
        "guard: links to 1 domain(s) the brand does not own",
    )
    assert result[("9", "dm")] == ("failed", "guard: contains a secret (seed phrase)")
    assert secret.split()[0] not in json.dumps(list(store.db["actions"].rows))


def test_modes_and_policy_decide_the_first_status(tmp_path: Path, settings: Settings) -> None:
    modes = {"support_request": "auto", "impersonation": "review", "secret_leak": "dry_run"}
    store, connector, ingest = start(tmp_path, settings, STREAM, modes)
    ingest.policy = {**DEFAULT_POLICY, "impersonation": ("alert", "report")}
    run(connector, ingest, outbound(settings))
    result = statuses(store)
    assert result[("1", "reply")][0] == "sent"
    assert {result[("2", k)][0] for k in ("delete", "dm", "reply", "alert")} == {"skipped"}
    assert result[("3", "reply")][0] == "skipped" and result[("3", "report")][0] == "held"
    assert result[("3", "alert")][0] == "sent"  # review holds actions, never the managers' alert
    assert [a.target for a in connector.performed] == ["1", "admin:telegram:3"]


def test_a_held_action_approved_later_still_passes_the_guard(
    tmp_path: Path, settings: Settings
) -> None:
    modes = {**AUTO, "impersonation": "review"}
    store, connector, ingest = start(tmp_path, settings, STREAM, modes)
    run(connector, ingest, outbound(settings))
    held = {r["kind"]: r for r in store.actions("held")}
    # edited badly
    store.db["actions"].update(held["report"]["id"], {"text": "more at https://evil.example/x"})
    for row in held.values():
        store.set_action_status(row["id"], "planned")  # a manager approves
    asyncio.run(daemon.send_planned(store, [connector], outbound(settings)))
    result = statuses(store)
    assert result[("3", "report")] == (
        "failed",
        "guard: links to 1 domain(s) the brand does not own",
    )
    assert result[("3", "reply")][0] == result[("3", "alert")][0] == "sent"


def test_when_the_delete_fails_the_notice_asks_to_delete_instead(
    tmp_path: Path, settings: Settings
) -> None:
    store, connector, ingest = start(tmp_path, settings, [STREAM[1]], fail_deletes=True)
    run(connector, ingest, outbound(settings))
    result = statuses(store)
    assert result[("2", "delete")][0] == "failed" and result[("2", "reply")][0] == "sent"
    reply = next(a for a in connector.performed if a.kind == "reply")
    assert "please delete it now" in reply.text and "Gr33n" not in reply.text
    assert (
        store.db["actions"].get(
            next(r["id"] for r in store.actions("sent") if r["kind"] == "reply")
        )["text"]
        == reply.text
    )


def test_one_post_never_gets_two_replies(tmp_path: Path, settings: Settings) -> None:
    lines = [
        line("5", "I can help you, DM me now", "0KXHelpDesk", reply_to="1"),
        line("6", "we can fix your issue, DM me", "OKXHe1pDesk", reply_to="1"),
    ]
    store, connector, ingest = start(tmp_path, settings, lines)
    run(connector, ingest, outbound(settings))
    assert [a.target for a in connector.performed if a.kind == "reply"] == ["1"]
    assert statuses(store)[("6", "reply")] == (
        "skipped",
        "duplicate: this post already has a reply (impersonation)",
    )


def test_cooldowns_skip_and_the_hourly_ceiling_waits(tmp_path: Path, settings: Settings) -> None:
    lines = [
        line("1", "withdrawal pending", "alice"),
        line("2", "withdrawal still pending", "alice"),
        line("3", "my withdrawal too", "bob", reply_to="1"),
        line("4", "withdrawal where", "dan"),
        line("5", "my password is Gr33n-Tea-41", "erin"),
    ]
    store, connector, ingest = start(tmp_path, settings, lines)
    run(
        connector,
        ingest,
        outbound(settings, Limits(user_cooldown=300, thread_cooldown=60, platform_per_hour=2)),
    )
    result = statuses(store)
    assert result[("1", "reply")][0] == "sent"
    assert result[("2", "reply")] == (
        "skipped",
        "rate limit: this user had an answer less than 300s ago",
    )
    assert result[("3", "reply")] == (
        "skipped",
        "rate limit: this thread had a reply less than 60s ago",
    )
    assert result[("4", "reply")][0] == "sent"
    assert result[("5", "dm")] == ("planned", "rate limit: 2 replies an hour on telegram")  # waits
    assert result[("5", "delete")][0] == result[("5", "alert")][0] == "sent"  # never held back


def test_warnings_and_leak_advice_are_not_held_back_by_cooldowns(
    tmp_path: Path, settings: Settings
) -> None:
    lines = [
        line("1", "my withdrawal is stuck", "alice"),
        line("2", "I can help you, DM me now", "0KXHelpDesk", reply_to="1"),
        line("3", "ok here: my password is Gr33n-Tea-41", "alice", reply_to="2"),
    ]
    store, connector, ingest = start(tmp_path, settings, lines)
    run(
        connector,
        ingest,
        outbound(settings, Limits(user_cooldown=300, thread_cooldown=300, platform_per_hour=50)),
    )
    result = statuses(store)
    assert result[("1", "reply")][0] == "sent"
    # the warning lands in alice's thread right after the answer
    assert result[("2", "reply")][0] == "sent"
    assert result[("3", "dm")][0] == "sent"  # and alice still gets the leak advice
    assert [a.target for a in connector.performed if a.kind == "reply"].count("1") == 2


def test_cooldowns_expire(tmp_path: Path, settings: Settings) -> None:
    lines = [
        line("1", "withdrawal pending", "alice"),
        line("2", "withdrawal still pending", "alice"),
    ]
    store, connector, ingest = start(tmp_path, settings, lines)
    asyncio.run(connector.run(ingest))
    first, second = list(store.actions("planned"))
    store.set_action_status(first["id"], "sent", "ok")
    limits = Limits(user_cooldown=300, thread_cooldown=60, platform_per_hour=10)
    now = datetime.now(UTC)
    assert limits.check(store, second, now) is not None
    assert limits.check(store, second, now + timedelta(seconds=301)) is None
    assert limits.check(store, {**second, "kind": "delete"}, now) is None


def test_manager_texts_are_checked_against_message_limits_not_the_x_post_limit(
    settings: Settings,
) -> None:
    guard = Guard(settings.brand)
    alert = Action("alert", "twitter", "admin", "x" * 3000, "impersonation: scam_lure")
    assert (
        guard.check_action(alert, "telegram") is None
        and guard.check_action(alert, "twitter") is None
    )
    too_long = replace(alert, text="x" * 4097)
    assert (
        guard.check_action(too_long, "telegram")
        == "too long for telegram (4097 of 4096 characters)"
    )
