"""Sends planned actions: claimed (marked sending) in one transaction, performed concurrently,
settled in one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from monitor.connectors.protocol import NO_REPORT_API, Connector
from monitor.core.models import ENFORCEMENT, Action, StoredAction
from monitor.desk.cases import report_unsupported
from monitor.runtime.alerting.routing import Alerting
from monitor.runtime.limits import Tally
from monitor.runtime.metrics import Metrics, error_code
from monitor.runtime.outbound import Outbound
from monitor.runtime.retrying import retry_write
from monitor.store import Store
from monitor.store.sqlite import utcnow
from monitor.store.switches import Switches

log = logging.getLogger("monitor.daemon")
T = TypeVar("T")
# Those that can reach the managers (a replay writes its outbox).
ALERT_CONNECTORS = ("telegram", "replay")
ALERT_TARGET = "admin"
# Who opened a case the bot opened, in the audit log.
CASE_OPENER = "monitor"
# Platform calls in flight at once: enough to overlap their round trips, few enough that a burst
# stays inside the platforms' own rate limits (the connectors wait out a 429 if it does not).
CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class Claimed:
    """An action marked sending, with the connector that performs it and the action as it goes out
    (an alert's target names its post)."""

    stored: StoredAction
    connector: Connector | None  # None: an alert routed only to channels beyond the chat
    action: Action


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the platform said to one claimed action."""

    stored: StoredAction
    status: str  # sent or failed
    result: str


async def send_planned(
    store: Store,
    connectors: Sequence[Connector],
    outbound: Outbound,
    metrics: Metrics | None = None,
    alerting: Alerting | None = None,
) -> int:
    """Send every planned action that passes the guard and limits once: marked sending before the
    call, the result after. An alert also goes to the channels `alerting` routes it to."""
    metrics = metrics or Metrics()
    sent = 0
    while True:
        claimed, more = claim(store, connectors, outbound, alerting)
        outcomes = await asyncio.gather(*_bounded([_perform(c, metrics) for c in claimed]))
        outcomes = await _deliver_alerts(store, claimed, outcomes, alerting)
        await _settle(store, outcomes, metrics)
        await _alert_refusals(store, outcomes, connectors, outbound, alerting)
        sent += sum(o.status == "sent" for o in outcomes)
        if not more:
            return sent


def claim(
    store: Store, connectors: Sequence[Connector], outbound: Outbound,
    alerting: Alerting | None = None,
) -> tuple[list[Claimed], bool]:
    """Check and mark sending, in one transaction, what goes out now: at most one action per post,
    because a post's next action may depend on the answer to this one (a notice on a failed delete).
    Also whether actions were left for a next round for that reason."""
    claimed: list[Claimed] = []
    posts: set[tuple[str, str]] = set()
    more = False
    with store.db.atomic():  # the checks see the marks made before them in this same transaction
        switches = Switches.read(store)
        claimable = store.claimable()  # on Postgres: FOR UPDATE SKIP LOCKED, one round at a time
        # the rate limits' look at recent actions, read once for the round (after the claim lock,
        # so it counts every replica's marks), not once an action
        tally = outbound.limits.tally(store, datetime.now(UTC))
        for stored in claimable:
            if store.replica and _route(stored, connectors)[0] is None:
                continue  # a replica's: the stream's owner sends it
            if (stored.platform, stored.post_id) in posts:
                more = True
                continue
            found = _claim_one(store, stored, connectors, outbound, switches, tally, alerting)
            if found is not None:
                claimed.append(found)
                posts.add((stored.platform, stored.post_id))
    return claimed, more


def _claim_one(
    store: Store,
    stored: StoredAction,
    connectors: Sequence[Connector],
    outbound: Outbound,
    switches: Switches,
    tally: Tally,
    alerting: Alerting | None = None,
) -> Claimed | None:
    """The action marked sending, or None when it does not go out now (its status says why)."""
    connector, platform = _route(stored, connectors)
    if stored.kind == "alert" and alerting is not None:
        connector = connector if alerting.to_telegram(stored) else None
        routed = connector is not None or any(
            n in alerting.channels for n in alerting.elsewhere(stored))
    else:
        routed = connector is not None
    if not routed:
        if stored.kind == "alert":  # no managers' chat: the finding still waits in the report
            store.set_action_status(stored.id, "skipped", "no admin chat: see the report")
        return None
    if switches.hold(stored.kind, stored.platform):
        return None  # paused or muted by a manager: it stays planned and goes out on resume
    stored = outbound.prepare(store, stored)
    if not _cleared(store, stored, outbound, platform, tally):
        return None
    store.mark_sending(stored.id)  # the idempotency mark, before the call
    tally.add(stored)  # and counted by the limits of the actions after it this round
    return Claimed(stored, connector, _outgoing(stored))


def _bounded(calls: list[Coroutine[Any, Any, T]]) -> list[Coroutine[Any, Any, T]]:
    """The coroutines, each waiting for one of CONCURRENCY slots before it runs."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(call: Coroutine[Any, Any, T]) -> T:
        async with gate:
            return await call

    return [one(call) for call in calls]


async def _perform(claimed: Claimed, metrics: Metrics) -> Outcome:
    """Carry out one action; a platform error fails this action only, never the daemon."""
    stored = claimed.stored
    if claimed.connector is None:  # the routed channels are sent to after the round
        return Outcome(stored, "sent", "not for the managers' chat")
    try:
        answer = await claimed.connector.perform(claimed.action)
    except Exception as exc:  # noqa: BLE001 - any platform error fails this action only
        metrics.errors.inc(stored.platform, error_code(exc))
        return Outcome(stored, "failed", f"{type(exc).__name__}: {exc}"[:300])
    metrics.acted(stored.platform, stored.post_id)
    return Outcome(stored, "sent", answer)


async def _deliver_alerts(
    store: Store, claimed: Sequence[Claimed], outcomes: Sequence[Outcome],
    alerting: Alerting | None,
) -> list[Outcome]:
    """Each alert of the round to its other routed channels (after the chat's call, which a
    channel's failure never blocks); an alert for those channels only is sent if one took it.
    Alerts go concurrently, so one channel's retries hold up the round once, not per alert."""
    if alerting is None:
        return list(outcomes)

    async def one(c: Claimed, o: Outcome) -> Outcome:
        if c.stored.kind != "alert" or not alerting.elsewhere(c.stored):
            return o
        went = await alerting.deliver_alert(store, c.stored, c.action.text)
        return _with_channels(o, went, c.connector is None)

    pairs = zip(claimed, outcomes, strict=True)
    return list(await asyncio.gather(*_bounded([one(c, o) for c, o in pairs])))


def _with_channels(outcome: Outcome, went: list[str], only_there: bool) -> Outcome:
    """The alert's outcome naming the channels it reached too."""
    if only_there:
        return replace(outcome, status="sent" if went else "failed",
                       result=f"sent to {', '.join(went)}" if went else "no channel took it")
    return replace(outcome, result=f"{outcome.result}; also {', '.join(went)}" if went
                   else outcome.result)


async def _settle(store: Store, outcomes: Sequence[Outcome], metrics: Metrics) -> None:
    """Record the outcomes in one transaction, retrying a locked or full database a few times
    (then they stay sending, and are never sent again)."""
    if not outcomes:
        return
    for o in outcomes:
        metrics.actions.inc(o.stored.kind, o.status)

    def write() -> None:
        with store.db.atomic():
            for o in outcomes:
                store.set_action_status(o.stored.id, o.status, _with_case(store, o))

    await retry_write(write, f"{len(outcomes)} action results", metrics, attempts=6)


def _with_case(store: Store, o: Outcome) -> str:
    """A report the platform has no API for opens (or joins) the takedown case of the reported
    account, in the transaction that records the outcome; the result names the case."""
    if o.stored.kind != "report" or not o.result.startswith(NO_REPORT_API):
        return o.result
    platform, post_id = o.stored.platform, o.stored.post_id
    post = store.post(platform, post_id) or {}
    handle = post.get("author_handle") or o.stored.action.target  # the author's id
    return report_unsupported(store, platform, handle, (platform, post_id), CASE_OPENER)


async def _alert_refusals(
    store: Store, outcomes: Sequence[Outcome], connectors: Sequence[Connector], outbound: Outbound,
    alerting: Alerting | None = None,
) -> None:
    """A removal, restriction or ban the platform refused reaches the managers with its answer
    (the action itself is failed, with that answer): once a day per platform, place and kind, in
    their chat and on the channels the finding kind is routed to."""
    chat = next((c for c in connectors if c.name in ALERT_CONNECTORS), None)
    for o in outcomes:
        stored = o.stored
        if o.status != "failed" or stored.kind not in ENFORCEMENT:
            continue
        to_chat = chat if alerting is None or alerting.to_telegram(stored) else None
        others = alerting.elsewhere(stored) if alerting is not None else ()
        key, alert = _refusal(stored, o.result)
        if (to_chat is None and not others) or store.meta(key) == utcnow()[:10] \
                or outbound.guard.check_action(alert, "telegram"):
            continue
        store.set_meta(key, utcnow()[:10])
        if to_chat is not None:
            try:
                await to_chat.perform(alert)
            except Exception as exc:  # noqa: BLE001 - the refusal stays in the action's result
                log.warning("refusal alert not sent (%s)", type(exc).__name__)
        if alerting is not None and others:
            await alerting.broadcast(others, alert.text)


def _refusal(stored: StoredAction, answer: str) -> tuple[str, Action]:
    """The meta key (one a day per platform, place and kind) and the alert of a refusal."""
    place = stored.action.place or "this place"
    text = f"cannot {stored.kind} on {stored.platform} in {place}: {answer}"
    target = f"{ALERT_TARGET}:{stored.platform}:{stored.post_id}"
    key = f"refused:{stored.platform}:{place}:{stored.kind}"
    return key, Action("alert", stored.platform, target, text, stored.action.reason)


def _route(stored: StoredAction, connectors: Sequence[Connector]) -> tuple[Connector | None, str]:
    """The connector that performs an action and the platform whose limits apply to its text."""
    # alerts go to the managers' chat (Telegram) whatever the post's platform
    if stored.kind == "alert":
        chat = next((c for c in connectors if c.name in ALERT_CONNECTORS), None)
        return chat, chat.name if chat else "telegram"
    found = next((c for c in connectors if stored.platform in c.platforms), None)
    return found, stored.platform


def _outgoing(stored: StoredAction) -> Action:
    """The action as performed; an alert names its post (admin:PLATFORM:POST_ID) so the managers'
    chat can offer buttons."""
    if stored.kind == "alert":
        return replace(stored.action, target=f"{ALERT_TARGET}:{stored.platform}:{stored.post_id}")
    return stored.action


def alert_post(target: str) -> tuple[str, str] | None:
    """(platform, post id) from an alert's target, or None when it names no post."""
    prefix, _, rest = target.partition(":")
    platform, _, post_id = rest.partition(":")
    return (platform, post_id) if prefix == ALERT_TARGET and platform and post_id else None


def _cleared(
    store: Store, stored: StoredAction, outbound: Outbound, platform: str, tally: Tally
) -> bool:
    """Whether the action goes out now; if not, its status and reason
    are recorded (never the text)."""
    verdict = outbound.verdict(store, stored, platform, tally=tally)
    if verdict is None:
        return True
    status, reason = verdict
    if stored.result != reason:  # a wait for the hourly ceiling is logged once, not every pass
        log.warning(
            "action %d (%s on %s) %s: %s", stored.id, stored.kind, stored.platform, status, reason
        )
    store.set_action_status(stored.id, status, reason)
    return False


def fail_interrupted(store: Store) -> int:
    """Actions that were being sent when the process died are not resent (at-most-once out)."""
    left = store.interrupted()  # on Postgres: those of replicas no longer alive
    for stored in left:
        store.set_action_status(stored.id, "failed", "interrupted during send; not retried")
    return len(left)
