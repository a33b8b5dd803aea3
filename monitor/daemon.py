"""asyncio supervisor: one task per connector, one action sender, graceful stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from monitor.connectors.base import Connector
from monitor.models import Action, Post
from monitor.pipeline import Pipeline
from monitor.store import Store

log = logging.getLogger(__name__)
MODE_STATUS = {"auto": "planned", "review": "held", "dry_run": "skipped"}


@dataclass
class Counters:
    """What one run did, for the closing summary line."""

    posts: int = 0
    duplicates: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)


class Ingest:
    """The emit callback: pipeline, then store the post, findings and actions in one transaction."""

    def __init__(self, pipeline: Pipeline, store: Store, modes: dict[str, str], dry_run: bool) -> None:
        self.pipeline = pipeline
        self.store = store
        self.modes = modes
        self.dry_run = dry_run
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
        mode = "dry_run" if self.dry_run else self.modes.get(action.reason.split(":")[0], "review")
        return MODE_STATUS[mode]

    def _count(self, findings: list, statuses: list[str]) -> None:
        """Update the run's counters."""
        c = self.counters
        c.posts += 1
        for f in findings:
            c.findings[f.kind] = c.findings.get(f.kind, 0) + 1
        for s in statuses:
            c.actions[s] = c.actions.get(s, 0) + 1


async def send_planned(store: Store, connectors: Sequence[Connector]) -> int:
    """Send every planned action once: marked in flight before the call, the result after."""
    by_platform = {p: c for c in connectors for p in c.platforms}
    sent = 0
    for row in list(store.actions("planned")):
        connector = by_platform.get(row["platform"])
        if connector is None:
            continue
        store.set_action_status(row["id"], "planned", "in flight")
        action = Action(row["kind"], row["platform"], row["target"], row["text"], row["reason"])
        try:
            answer = await connector.perform(action)
        except Exception as exc:  # a platform error fails this action only, never the daemon
            store.set_action_status(row["id"], "failed", f"{type(exc).__name__}: {exc}"[:300])
            continue
        store.set_action_status(row["id"], "sent", answer)
        sent += 1
    return sent


def fail_interrupted(store: Store) -> int:
    """Actions that were in flight when the process died are not resent (at-most-once out)."""
    rows = [r for r in store.actions("planned") if r["result"] == "in flight"]
    for row in rows:
        store.set_action_status(row["id"], "failed", "interrupted during send; not retried")
    return len(rows)


async def run(connectors: Sequence[Connector], ingest: Ingest) -> Counters:
    """Run every connector to completion (replays end; live connectors run until cancelled)."""
    fail_interrupted(ingest.store)
    results = await asyncio.gather(*(c.run(ingest) for c in connectors), return_exceptions=True)
    for connector, result in zip(connectors, results, strict=True):
        if isinstance(result, BaseException):
            log.error("connector %s stopped: %s", connector.name, type(result).__name__)
    if not ingest.dry_run:
        await send_planned(ingest.store, connectors)
    return ingest.counters
