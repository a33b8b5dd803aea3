"""asyncio supervisor: one task per connector, one action sender, graceful stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from monitor.connectors.base import Connector, ConnectorFatal
from monitor.models import Action, Post
from monitor.pipeline import Pipeline
from monitor.replies.guard import Guard
from monitor.replies.limits import Limits
from monitor.replies.outbound import Outbound
from monitor.store import Store

log = logging.getLogger(__name__)
MODE_STATUS = {"auto": "planned", "review": "held", "dry_run": "skipped"}
ALERT_CONNECTORS = ("telegram", "replay")  # those that can reach the managers (a replay writes its outbox)
RESTART_DELAY = 1.0  # seconds before a crashed connector is started again; doubles each time
MAX_RESTART_DELAY = 300.0


@dataclass
class Counters:
    """What one run did, for the closing summary line."""

    posts: int = 0
    duplicates: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)


class Ingest:
    """The emit callback: pipeline, then store the post, findings and actions in one transaction."""

    def __init__(self, pipeline: Pipeline, store: Store, modes: dict[str, str], dry_run: bool,
                 policy: dict[str, tuple[str, ...]] | None = None) -> None:
        self.pipeline = pipeline
        self.store = store
        self.modes = modes
        self.dry_run = dry_run
        self.policy = policy  # finding kind -> the action kinds it may take; None allows all
        self.counters = Counters()

    async def __call__(self, post: Post) -> None:
        """Handle one post; a post seen before is ignored (at-least-once in)."""
        if self.store.has_post(post.platform, post.id):
            self.counters.duplicates += 1
            return
        result = self.pipeline.process(post)
        statuses = [self.status_for(a) for a in result.actions]
        if self.store.record(result.post, result.findings, result.actions, statuses, result.lang):
            self._count(result.findings, statuses)

    def status_for(self, action: Action) -> str:
        """The first status of a planned action, from the mode of the finding kind behind it."""
        kind = action.reason.split(":")[0]
        if self.policy is not None and action.kind not in self.policy.get(kind, ()):
            return "skipped"  # recorded, so the report shows what the policy left out
        mode = "dry_run" if self.dry_run else self.modes.get(kind, "review")
        return MODE_STATUS[mode]

    def _count(self, findings: list, statuses: list[str]) -> None:
        """Update the run's counters."""
        c = self.counters
        c.posts += 1
        for f in findings:
            c.findings[f.kind] = c.findings.get(f.kind, 0) + 1
        for s in statuses:
            c.actions[s] = c.actions.get(s, 0) + 1


async def send_planned(store: Store, connectors: Sequence[Connector], outbound: Outbound) -> int:
    """Send every planned action that passes the guard and limits once: in flight before the call, the result after."""
    sent = 0
    for row in list(store.actions("planned")):
        connector, platform = _route(row, connectors)
        if connector is None:
            if row["kind"] == "alert":  # no managers' chat: the finding still waits in the report
                store.set_action_status(row["id"], "skipped", "no admin chat: see the report")
            continue
        row = outbound.prepare(store, row)
        if not _cleared(store, row, outbound, platform):
            continue
        store.set_action_status(row["id"], "planned", "in flight")  # the idempotency mark, before the call
        action = Action(row["kind"], row["platform"], row["target"], row["text"], row["reason"])
        try:
            answer = await connector.perform(action)
        except Exception as exc:  # a platform error fails this action only, never the daemon
            store.set_action_status(row["id"], "failed", f"{type(exc).__name__}: {exc}"[:300])
            continue
        store.set_action_status(row["id"], "sent", answer)
        sent += 1
    return sent


def _route(row: dict, connectors: Sequence[Connector]) -> tuple[Connector | None, str]:
    """The connector that performs an action and the platform whose limits apply to its text."""
    if row["kind"] == "alert":  # alerts go to the managers' chat (Telegram) whatever the post's platform
        chat = next((c for c in connectors if c.name in ALERT_CONNECTORS), None)
        return chat, chat.name if chat else "telegram"
    return next((c for c in connectors if row["platform"] in c.platforms), None), row["platform"]


def _cleared(store: Store, row: dict, outbound: Outbound, platform: str) -> bool:
    """Whether the action goes out now; if not, its status and reason are recorded (never the text)."""
    verdict = outbound.verdict(store, row, platform)
    if verdict is None:
        return True
    status, reason = verdict
    if row["result"] != reason:  # a wait for the hourly ceiling is logged once, not every pass
        log.warning("action %d (%s on %s) %s: %s", row["id"], row["kind"], row["platform"], status, reason)
    store.set_action_status(row["id"], status, reason)
    return False


def fail_interrupted(store: Store) -> int:
    """Actions that were in flight when the process died are not resent (at-most-once out)."""
    rows = [r for r in store.actions("planned") if r["result"] == "in flight"]
    for row in rows:
        store.set_action_status(row["id"], "failed", "interrupted during send; not retried")
    return len(rows)


async def supervise(connector: Connector, ingest: Ingest, stop: asyncio.Event) -> None:
    """Run one connector; restart it with backoff after a crash, until it ends or stop is set."""
    delay = RESTART_DELAY
    while not stop.is_set():
        try:
            await connector.run(ingest)
            return  # a finite source (a replay) reached its end
        except ConnectorFatal as exc:  # restarting cannot help; the others keep running
            log.error("%s", exc)
            return
        except Exception as exc:  # one connector's failure never stops the others
            log.error("connector %s crashed (%s); restarting in %.0fs", connector.name,
                      type(exc).__name__, delay)
        if await _stopped_within(stop, delay):
            return
        delay = min(delay * 2, MAX_RESTART_DELAY)


async def sender_loop(store: Store, connectors: Sequence[Connector], stop: asyncio.Event,
                      interval: float, outbound: Outbound) -> None:
    """Send planned actions every `interval` seconds, and once more after stop."""
    while not stop.is_set():
        await send_planned(store, connectors, outbound)
        await _stopped_within(stop, interval)
    await send_planned(store, connectors, outbound)


def default_outbound(pipeline: Pipeline) -> Outbound:
    """The guard for the pipeline's brand with the default rate limits."""
    templates = pipeline.templates
    return Outbound(Guard(templates.brand), Limits(), templates)


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds` for stop; True if it was set."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


async def run(connectors: Sequence[Connector], ingest: Ingest, stop: asyncio.Event | None = None,
              send_interval: float = 1.0, outbound: Outbound | None = None) -> Counters:
    """Watch with every connector until all have ended (replays) or stop is set (signals)."""
    stop = stop or asyncio.Event()
    fail_interrupted(ingest.store)
    outbound = outbound or default_outbound(ingest.pipeline)
    watchers = asyncio.gather(*(supervise(c, ingest, stop) for c in connectors))
    sender = None if ingest.dry_run else asyncio.create_task(
        sender_loop(ingest.store, connectors, stop, send_interval, outbound))
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait([watchers, stopper], return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    watchers.cancel()
    await asyncio.gather(watchers, stopper, return_exceptions=True)
    if sender is not None:
        await sender  # the final flush sends what was planned before the stop
    return ingest.counters
