"""asyncio supervisor: one task per connector, one action sender, graceful stop."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from monitor.connectors.protocol import Connector, ConnectorFatal
from monitor.core.models import Post, Processed
from monitor.core.pipeline import BATCH, Pipeline
from monitor.core.policy import Modes
from monitor.replies.guard import Guard
from monitor.runtime.alerting.routing import Alerting
from monitor.runtime.alerting.schedule import digest_loop
from monitor.runtime.health import Health
from monitor.runtime.limits import Limits
from monitor.runtime.listwatch import ListWatch
from monitor.runtime.memory_feed import pull as pull_memory
from monitor.runtime.metrics import Metrics, error_code
from monitor.runtime.outbound import Outbound
from monitor.runtime.retrying import retry_write, stopped_within
from monitor.runtime.sender import fail_interrupted, send_planned
from monitor.store import Store

if TYPE_CHECKING:
    from monitor.runtime.replicas import Replica

log = logging.getLogger("monitor.daemon")
RESTART_DELAY = 1.0  # seconds before a crashed connector is started again; doubles each time
MAX_RESTART_DELAY = 300.0
CLOSE_TIMEOUT = 5.0  # seconds a connector's close() may take at shutdown
DRAIN_TIMEOUT = 10.0  # seconds the batch in hand may take to be stored at shutdown


@dataclass
class Counters:
    """What one run did, for the closing summary line."""

    posts: int = 0
    duplicates: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)


class Ingest:
    """The emit callback: posts are queued, classified in batches and
    stored a batch per transaction."""

    def __init__(
        self,
        pipeline: Pipeline,
        store: Store,
        modes: dict[str, str],
        dry_run: bool,
        policy: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.store = store
        self.modes = modes
        self.dry_run = dry_run
        self.policy = policy  # finding kind -> the action kinds it may take; None allows all
        self.counters = Counters()
        self.metrics = Metrics()
        self.health: Health | None = None
        self.outbound: Outbound | None = None  # set by run(); a config reload swaps it
        self.alerting: Alerting | None = None  # channels beyond the managers' chat ([alerts])
        self.lists = ListWatch()  # the host list files, looked at before each batch
        self.replica: Replica | None = None  # one of several on one Postgres (runtime/replicas)
        self.wake = asyncio.Event()  # set when an action was planned, so the sender goes at once
        self._queue: list[tuple[Post, asyncio.Future[None]]] = []  # emitted, waiting for the models
        self._worker: asyncio.Task[None] | None = None

    async def __call__(self, post: Post) -> None:
        """Handle one post; returns once it is stored. A post seen before is
        ignored (at-least-once in)."""
        post = _valid_unicode(post)
        if self.store.has_post(post.platform, post.id):
            self.counters.duplicates += 1
            return
        self.metrics.arrived(post.platform, post.id)
        stored = asyncio.get_running_loop().create_future()
        self._queue.append((post, stored))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())
        await stored

    async def _drain(self) -> None:
        """Classify and store the waiting posts a batch at a time: posts that arrive
        while one batch is in the models wait and go together as the next, so the
        transformer sees them in one pass."""
        while self._queue:
            # done: its caller left
            batch = [item for item in self._queue[:BATCH] if not item[1].done()]
            del self._queue[:BATCH]
            try:
                await self._ingest([post for post, _ in batch])
            except asyncio.CancelledError:
                for _, stored in batch + self._queue:
                    stored.cancel()
                self._queue.clear()
                raise
            except Exception as exc:  # noqa: BLE001
                # e.g. a schema error: the emitters hear of it, the next batch goes on
                _settle_all(batch, exc)
            else:
                _settle_all(batch, None)

    async def close(self) -> None:
        """Let the batch in the models finish and be stored; posts still
        waiting come again next run."""
        for _, stored in self._queue:
            stored.cancel()
        self._queue.clear()
        if self._worker is not None:  # a database locked for good must not hold the shutdown
            await asyncio.wait([self._worker], timeout=DRAIN_TIMEOUT)
            self._worker.cancel()

    async def _ingest(self, posts: list[Post]) -> None:
        """The pipeline over the batch in its context (in a thread: a slow model must not starve the
        event loop, where sends wait on their answers), then one transaction storing every post,
        finding and action."""
        if not posts:
            return
        await pull_memory(self.pipeline.detectors, self.store)  # managers' new decisions, every 5 s
        context = self.store.context(posts)
        modes = Modes(self.modes, self.policy, self.dry_run)
        # New host lists first, if a list file changed (read in a thread, as the batch is run).
        await asyncio.to_thread(self.lists.refresh, self.pipeline)
        results = await asyncio.to_thread(
            self.pipeline.in_context, posts, context, modes, self._process_many
        )
        # A locked database or a full disk is waited out here: emit does not return, so the
        # connector does not move its cursor, and no post is lost or half-stored.
        news = await retry_write(lambda: self._record(results), f"{len(posts)} posts", self.metrics)
        for result, new in zip(results, news, strict=True):
            if new:
                self._count(result.findings, result.statuses)
                self._measure(result)

    def _process_many(self, posts: list[Post]) -> list[Processed]:
        """The batch through the pipeline; if it raises, post by post, so one
        poison post spoils only itself."""
        try:
            return self.pipeline.process_many(posts)
        except Exception:  # noqa: BLE001 - retried post by post below
            return [self._process(post) for post in posts]

    def _process(self, post: Post) -> Processed:
        """The pipeline's result; a post that makes it raise gets a placeholder,
        so it is not retried forever."""
        try:
            return self.pipeline.process(post)
        except Exception as exc:  # noqa: BLE001
            # one poison post must not stop the connector that carries it
            error = type(exc).__name__
            log.error(
                "post %s/%s not processed (%s); stored with a placeholder",
                post.platform,
                post.id,
                error,
            )
            placeholder = dataclasses.replace(post, text=f"[not processed: {error}]", raw=None)
            return Processed(post=placeholder, findings=[], actions=[], lang="", failure=error)

    def _record(self, results: list[Processed]) -> list[bool]:
        """Store every post with its findings and actions (and the audit entry of a failure) in one
        transaction; per post, whether it was new."""
        news = []
        with self.store.db.atomic():
            for result in results:
                post = result.post
                new = self.store.record(
                    post, result.findings, result.actions, list(result.statuses), result.lang
                )
                if new and result.failure:
                    self.store.audit(
                        "daemon",
                        "post not processed",
                        {"platform": post.platform, "post_id": post.id, "error": result.failure},
                    )
                if new:
                    self._record_earlier(result)
                news.append(new)
        return news

    def _record_earlier(self, result: Processed) -> None:
        """Add the findings and actions a post brings on stored posts (the earlier posts of a wave
        it raised) to them."""
        for more in result.earlier:
            if self.store.record_more(more.post, more.findings, more.actions,
                                      list(more.statuses)):
                self._measure(more)

    def _measure(self, result: Processed) -> None:
        """Count the stored post in the metrics, and wake the sender when something is to go out."""
        self.metrics.posts.inc(result.post.platform)
        for f in result.findings:
            self.metrics.findings.inc(f.kind)
        for action, status in zip(result.actions, result.statuses, strict=True):
            self.metrics.actions.inc(action.kind, status)
        if self.health is not None:
            self.health.last_post = time.time()
        if "planned" in result.statuses:
            self.wake.set()

    def reconfigure(
        self,
        pipeline: Pipeline,
        modes: dict[str, str],
        policy: dict[str, tuple[str, ...]] | None,
        outbound: Outbound,
    ) -> None:
        """Swap in what a config reload built; posts already in hand finish with the old."""
        self.pipeline, self.modes, self.policy, self.outbound = pipeline, modes, policy, outbound

    def _count(self, findings: list, statuses: Sequence[str]) -> None:
        """Update the run's counters."""
        c = self.counters
        c.posts += 1
        for f in findings:
            c.findings[f.kind] = c.findings.get(f.kind, 0) + 1
        for s in statuses:
            c.actions[s] = c.actions.get(s, 0) + 1


def _settle_all(batch: list[tuple[Post, asyncio.Future[None]]], error: Exception | None) -> None:
    """Tell each emitter of the batch that its post is stored, or why not."""
    for _, stored in batch:
        if stored.done():
            continue
        if error is None:
            stored.set_result(None)
        else:
            stored.set_exception(error)


def _valid_unicode(post: Post) -> Post:
    """The post with lone surrogates (from a platform's JSON escapes)
    replaced: SQLite cannot store them."""

    def fix(text: str) -> str:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

    texts = (post.text, post.author.handle, post.author.name)
    if all(t.isascii() or fix(t) == t for t in texts):
        return post
    author = dataclasses.replace(
        post.author, handle=fix(post.author.handle), name=fix(post.author.name)
    )
    return dataclasses.replace(post, text=fix(post.text), author=author)


async def supervise(connector: Connector, ingest: Ingest, stop: asyncio.Event) -> None:
    """Run one connector; restart it with backoff after a crash, until it ends or stop is set."""
    delay = RESTART_DELAY
    state = ingest.health.set if ingest.health else lambda name, value: None
    while not stop.is_set():
        state(connector.name, "running")
        try:
            await connector.run(ingest)
            state(connector.name, "ended")
            return  # a finite source (a replay) reached its end
        except ConnectorFatal as exc:  # restarting cannot help; the others keep running
            state(connector.name, "stopped")
            log.error("%s", exc)
            return
        except Exception as exc:  # noqa: BLE001 - one connector's failure never stops the others
            state(connector.name, "restarting")
            ingest.metrics.errors.inc(connector.name, error_code(exc))
            ingest.metrics.restarts.inc(connector.name)
            log.error(
                "connector %s crashed (%s); restarting in %.0fs",
                connector.name,
                type(exc).__name__,
                delay,
            )
        if await stopped_within(stop, delay):
            return
        delay = min(delay * 2, MAX_RESTART_DELAY)


async def sender_loop(
    ingest: Ingest, connectors: Sequence[Connector], stop: asyncio.Event, interval: float
) -> None:
    """Send planned actions when ingest plans some or every `interval`
    seconds, and once more after stop."""
    while not stop.is_set():
        ingest.wake.clear()
        await _send_pass(ingest, connectors)
        waits: list[asyncio.Task[bool]] = [
            asyncio.create_task(e.wait()) for e in (stop, ingest.wake)
        ]
        await asyncio.wait(waits, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
        for waiting in waits:
            waiting.cancel()
    await _send_pass(ingest, connectors)


async def _send_pass(ingest: Ingest, connectors: Sequence[Connector]) -> None:
    """One sending pass; a database error is logged and the next pass tries again."""
    assert ingest.outbound is not None
    if ingest.replica is not None:  # a replica sends the actions of the streams it owns
        connectors = ingest.replica.sending(connectors)
    try:
        await send_planned(
            ingest.store, connectors, ingest.outbound, ingest.metrics, ingest.alerting
        )
    except Exception as exc:  # noqa: BLE001
        # e.g. the database stayed locked: the sender must live on
        log.error(
            "sending pass failed (%s: %s); trying again on the next pass",
            type(exc).__name__,
            str(exc)[:200],
        )


def default_outbound(pipeline: Pipeline) -> Outbound:
    """The guard for the pipeline's brand with the default rate limits."""
    return Outbound(Guard(pipeline.templates.brand), Limits())


async def run(
    connectors: Sequence[Connector],
    ingest: Ingest,
    stop: asyncio.Event | None = None,
    send_interval: float = 1.0,
    outbound: Outbound | None = None,
    digest: Callable[[Store], str] | None = None,
) -> Counters:
    """Watch with every connector until all have ended (replays) or stop is set (signals);
    `digest` builds the daily digest text, sent when [alerts.digest] is enabled."""
    stop = stop or asyncio.Event()
    fail_interrupted(ingest.store)
    ingest.outbound = outbound or ingest.outbound or default_outbound(ingest.pipeline)
    ingest.wake = asyncio.Event()  # bound to this run's event loop
    if ingest.health is not None:
        ingest.health.watch(connectors)  # /healthz asks each for its conditions
    replica = ingest.replica
    if replica is not None:
        ingest.metrics.replica = replica.id
        if ingest.health is not None:
            ingest.health.replica = replica
    beat = None if replica is None else asyncio.create_task(replica.beat(stop))
    watchers = asyncio.gather(*(
        supervise(c, ingest, stop) if replica is None  # a stream only while its lease is ours:
        else replica.hold(c, ingest, stop, supervise) for c in connectors))
    sender = (
        None
        if ingest.dry_run
        else asyncio.create_task(sender_loop(ingest, connectors, stop, send_interval))
    )
    daily = _daily(ingest, digest, stop)
    stopper = asyncio.create_task(stop.wait())
    either: list[asyncio.Future[Any]] = [watchers, stopper]
    await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    watchers.cancel()
    await asyncio.gather(watchers, stopper, return_exceptions=True)
    await ingest.close()
    if sender is not None:
        await sender  # the final flush sends what was planned before the stop
    if daily is not None:
        await daily
    if replica is not None and beat is not None:
        await beat
        await replica.close()
    await close_all(connectors)
    return ingest.counters


def _daily(
    ingest: Ingest, digest: Callable[[Store], str] | None, stop: asyncio.Event
) -> asyncio.Task[None] | None:
    """The daily digest's task, when there is a digest to build and a time to send it."""
    alerting = ingest.alerting
    if digest is None or alerting is None or alerting.digest_at is None or ingest.dry_run:
        return None
    return asyncio.create_task(digest_loop(ingest.store, alerting, digest, stop))


async def close_all(connectors: Sequence[Connector]) -> None:
    """Call each connector's optional close() (HTTP sessions, sockets); a
    failure there is only logged."""
    for connector in connectors:
        close = getattr(connector, "close", None)
        if close is None:
            continue
        try:
            await asyncio.wait_for(close(), CLOSE_TIMEOUT)
        except Exception as exc:  # noqa: BLE001
            # shutting down anyway: say so and go on with the others
            log.warning(
                "connector %s did not close cleanly (%s)", connector.name, type(exc).__name__
            )
