"""Sends planned actions: claimed in flight in one transaction, performed concurrently, settled in one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from monitor.connectors.base import Connector
from monitor.core.models import Action
from monitor.runtime.metrics import Metrics, error_code
from monitor.runtime.outbound import Outbound
from monitor.runtime.retrying import retry_write
from monitor.store import Store
from monitor.store.switches import held_back

log = logging.getLogger("monitor.daemon")
T = TypeVar("T")
# Those that can reach the managers (a replay writes its outbox).
ALERT_CONNECTORS = ("telegram", "replay")
ALERT_TARGET = "admin"
# Platform calls in flight at once: enough to overlap their round trips, few enough that a burst
# stays inside the platforms' own rate limits (the connectors wait out a 429 if it does not).
CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class Claimed:
    """An action marked in flight, with the connector that performs it."""

    row: dict
    connector: Connector
    action: Action


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the platform said to one claimed action."""

    row: dict
    status: str  # sent or failed
    result: str


async def send_planned(
    store: Store,
    connectors: Sequence[Connector],
    outbound: Outbound,
    metrics: Metrics | None = None,
) -> int:
    """Send every planned action that passes the guard and limits once: in flight before the call, the result after."""
    metrics = metrics or Metrics()
    sent = 0
    while True:
        claimed, more = claim(store, connectors, outbound)
        outcomes = await asyncio.gather(*_bounded([_perform(c, metrics) for c in claimed]))
        await _settle(store, outcomes, metrics)
        sent += sum(o.status == "sent" for o in outcomes)
        if not more:
            return sent


def claim(
    store: Store, connectors: Sequence[Connector], outbound: Outbound
) -> tuple[list[Claimed], bool]:
    """Check and mark in flight, in one transaction, what goes out now: at most one action per post,
    because a post's next action may depend on the answer to this one (a notice on a failed delete).
    Also whether actions were left for a next round for that reason."""
    claimed: list[Claimed] = []
    posts: set[tuple[str, str]] = set()
    more = False
    with store.db.atomic():  # the checks see the marks made before them in this same transaction
        for row in list(store.actions("planned")):
            if row["result"] == "in flight":
                continue  # its answer could not be written: never sent again (failed on the next start)
            if (row["platform"], row["post_id"]) in posts:
                more = True
                continue
            found = _claim_one(store, row, connectors, outbound)
            if found is not None:
                claimed.append(found)
                posts.add((row["platform"], row["post_id"]))
    return claimed, more


def _claim_one(
    store: Store, row: dict, connectors: Sequence[Connector], outbound: Outbound
) -> Claimed | None:
    """The action marked in flight, or None when it does not go out now (its status says why)."""
    connector, platform = _route(row, connectors)
    if connector is None:
        if row["kind"] == "alert":  # no managers' chat: the finding still waits in the report
            store.set_action_status(row["id"], "skipped", "no admin chat: see the report")
        return None
    if held_back(store, row["kind"], row["platform"]):
        return None  # paused or muted by a manager: it stays planned and goes out on resume
    row = outbound.prepare(store, row)
    if not _cleared(store, row, outbound, platform):
        return None
    store.set_action_status(row["id"], "planned", "in flight")  # the idempotency mark, before the call
    action = Action(row["kind"], row["platform"], _target(row), row["text"], row["reason"])
    return Claimed(row, connector, action)


def _bounded(calls: list[Coroutine[Any, Any, T]]) -> list[Coroutine[Any, Any, T]]:
    """The coroutines, each waiting for one of CONCURRENCY slots before it runs."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(call: Coroutine[Any, Any, T]) -> T:
        async with gate:
            return await call

    return [one(call) for call in calls]


async def _perform(claimed: Claimed, metrics: Metrics) -> Outcome:
    """Carry out one action; a platform error fails this action only, never the daemon."""
    row = claimed.row
    try:
        answer = await claimed.connector.perform(claimed.action)
    except Exception as exc:  # noqa: BLE001 - any platform error fails this action only
        metrics.errors.inc(row["platform"], error_code(exc))
        return Outcome(row, "failed", f"{type(exc).__name__}: {exc}"[:300])
    metrics.acted(row["platform"], row["post_id"])
    return Outcome(row, "sent", answer)


async def _settle(store: Store, outcomes: Sequence[Outcome], metrics: Metrics) -> None:
    """Record the outcomes in one transaction, retrying a locked or full database a few times
    (then they stay in flight, and are never sent again)."""
    if not outcomes:
        return
    for o in outcomes:
        metrics.actions.inc(o.row["kind"], o.status)

    def write() -> None:
        with store.db.atomic():
            for o in outcomes:
                store.set_action_status(o.row["id"], o.status, o.result)

    await retry_write(write, f"{len(outcomes)} action results", metrics, attempts=6)


def _route(row: dict, connectors: Sequence[Connector]) -> tuple[Connector | None, str]:
    """The connector that performs an action and the platform whose limits apply to its text."""
    if row["kind"] == "alert":  # alerts go to the managers' chat (Telegram) whatever the post's platform
        chat = next((c for c in connectors if c.name in ALERT_CONNECTORS), None)
        return chat, chat.name if chat else "telegram"
    return next((c for c in connectors if row["platform"] in c.platforms), None), row["platform"]


def _target(row: dict) -> str:
    """The action's target; an alert names its post (admin:PLATFORM:POST_ID) so the managers' chat can offer buttons."""
    if row["kind"] == "alert":
        return f"{ALERT_TARGET}:{row['platform']}:{row['post_id']}"
    return row["target"]


def alert_post(target: str) -> tuple[str, str] | None:
    """(platform, post id) from an alert's target, or None when it names no post."""
    prefix, _, rest = target.partition(":")
    platform, _, post_id = rest.partition(":")
    return (platform, post_id) if prefix == ALERT_TARGET and platform and post_id else None


def _cleared(store: Store, row: dict, outbound: Outbound, platform: str) -> bool:
    """Whether the action goes out now; if not, its status and reason are recorded (never the text)."""
    verdict = outbound.verdict(store, row, platform)
    if verdict is None:
        return True
    status, reason = verdict
    if row["result"] != reason:  # a wait for the hourly ceiling is logged once, not every pass
        log.warning(
            "action %d (%s on %s) %s: %s", row["id"], row["kind"], row["platform"], status, reason
        )
    store.set_action_status(row["id"], status, reason)
    return False


def fail_interrupted(store: Store) -> int:
    """Actions that were in flight when the process died are not resent (at-most-once out)."""
    rows = [r for r in store.actions("planned") if r["result"] == "in flight"]
    for row in rows:
        store.set_action_status(row["id"], "failed", "interrupted during send; not retried")
    return len(rows)
