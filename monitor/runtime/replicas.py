"""Replicas: any number of `monitor run` processes on one Postgres share the work.

Each connector stream has one owner at a time, the replica holding its lease (store/leases.py):
a replica runs a stream only while it holds the lease, renews it every RENEW_EVERY seconds, and
stops the stream (the fence) once it could not renew for FENCE_AFTER seconds, before the lease
(LEASE_TTL) runs out for another replica to take it; the new owner resumes from the stored
cursor. A replica sends only the actions of the streams it owns (so its connectors are the ones
running), claimed FOR UPDATE SKIP LOCKED; what a dead replica left sending is failed once its
heartbeat is REPLICA_TTL old, never resent.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import secrets
import socket
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from monitor.connectors.protocol import Connector
from monitor.runtime.metrics import Metrics
from monitor.runtime.retrying import stopped_within
from monitor.store import Store
from monitor.store.leases import Leases
from monitor.store.postgres import REPLICA_TTL

log = logging.getLogger("monitor.daemon")
Supervise = Callable[[Connector, Any, asyncio.Event], Coroutine[Any, Any, None]]
LEASE_TTL = REPLICA_TTL  # seconds a lease lasts unless renewed
RENEW_EVERY = 3.0  # seconds between renewals (and heartbeats)
FENCE_AFTER = 10.0  # seconds without a renewal after which the owner stops the stream
CALL_TIMEOUT = 5.0  # seconds one renewal may take before it counts as failed


def stream_of(connector: Connector) -> str:
    """The name a connector's lease is held under: its stream (a replay: the file it reads)."""
    return str(getattr(connector, "stream", None) or getattr(connector, "cursor_name", None)
               or connector.name)


class Replica:
    """This process among the replicas: its id, its leases, the streams it owns."""

    def __init__(self, store: Store, metrics: Metrics | None = None,
                 replica_id: str | None = None) -> None:
        self.id = replica_id or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"
        self.store = store
        store.replica = self.id  # the actions it claims name it
        self.metrics = metrics or Metrics()
        self.leases = Leases(store, self.id, LEASE_TTL)
        self.owned: dict[str, float] = {}  # stream -> monotonic time its lease was last renewed
        self.wanted = 0  # streams this replica is asked to run (all replicas run the same)
        self.live = 1  # replicas alive, from the last heartbeat
        self._ready = asyncio.Event()  # set after the first heartbeat: peers started with it
        self._taking = asyncio.Lock()
        try:  # seen at once, so replicas started together (loading their models) share out
            self.leases.beat([])
        except Exception as exc:  # noqa: BLE001 - the heartbeat loop tries again
            log.warning("replica %s: first heartbeat failed (%s)", self.id, str(exc)[:200])

    # -- what the others see ----------------------------------------------------------------
    def streams(self) -> list[str]:
        return sorted(self.owned)

    def share(self) -> int:
        """How many streams this replica takes while others are alive: its fair share (a dead
        replica's share goes to those left, once its heartbeat is old)."""
        return max(1, math.ceil(self.wanted / max(1, self.live)))

    def sending(self, connectors: Sequence[Connector]) -> list[Connector]:
        """The connectors whose streams this replica owns: it sends only their actions."""
        return [c for c in connectors if stream_of(c) in self.owned]

    async def _call(self, what: str, fn: object, *args: object) -> object:
        """One lease call in a thread, with a timeout; None when it failed."""
        try:
            return await asyncio.wait_for(asyncio.to_thread(fn, *args),  # type: ignore[arg-type]
                                          CALL_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - a lost database: the fence decides
            log.warning("replica %s: %s failed (%s)", self.id, what, str(exc)[:200])
            return None

    async def beat(self, stop: asyncio.Event) -> None:
        """The heartbeat, and the failing of what dead replicas left sending, until stop."""
        from monitor.runtime.sender import fail_interrupted

        while not stop.is_set():
            await self._call("heartbeat", self.leases.beat, self.streams())
            live = await self._call("count of replicas", self.leases.live, REPLICA_TTL)
            self.live = live if isinstance(live, int) else self.live
            self._ready.set()
            try:
                if failed := fail_interrupted(self.store):
                    log.warning("%d action(s) a dead replica left sending failed, not resent",
                                failed)
            except Exception as exc:  # noqa: BLE001 - tried again next beat
                log.warning("replica %s: reaping failed (%s)", self.id, str(exc)[:200])
            try:
                await asyncio.wait_for(stop.wait(), RENEW_EVERY)
            except TimeoutError:
                pass

    # -- holding a stream -------------------------------------------------------------------
    async def _take_share(self, stream: str) -> bool:
        """Take a stream's lease if this replica holds less than its share (one stream at a time,
        so two streams starting together do not both count the share as free)."""
        async with self._taking:
            return len(self.owned) < self.share() and await self._take(stream)

    async def _take(self, stream: str) -> bool:
        sent = time.monotonic()
        if await self._call(f"lease on {stream}", self.leases.take, stream) is True:
            self.owned[stream] = sent  # counted from before the call: the fence errs early
            return True
        return False

    async def hold(self, connector: Connector, ingest: Any, stop: asyncio.Event,
                   supervise: Supervise) -> None:
        """Run the connector (daemon.supervise) whenever this replica holds its stream's lease,
        until it ends or stop is set; wait as a standby while another replica holds it."""
        stream = stream_of(connector)
        state = ingest.health.set if ingest.health else lambda name, value: None
        self.wanted += 1
        state(connector.name, "standby")
        await _either(self._ready, stop)
        while not stop.is_set():
            state(connector.name, "standby")
            if not await self._take_share(stream):
                if await stopped_within(stop, RENEW_EVERY):
                    return
                continue
            self._count(stream, "taken")
            log.info("replica %s: owns stream %s", self.id, stream)
            task = asyncio.create_task(supervise(connector, ingest, stop))
            lost = False  # a cancel (the daemon stops) gives the lease back too
            try:
                lost = await self._renew_while(stream, task, stop)
            finally:  # also when the daemon cancels this at stop: nothing awaited before the
                task.cancel()  # lease is given back (the connector is stopped before it runs again)
                self.owned.pop(stream, None)
                if not lost:
                    self._give_back(stream)
                await asyncio.gather(task, return_exceptions=True)
            if lost:  # fenced: stopped reading; another replica may take it now
                self._count(stream, "lost")
                log.warning("replica %s: lease on %s not renewed for %.0fs; stream stopped",
                            self.id, stream, FENCE_AFTER)
                continue
            return  # the stream ended (a replay) or this replica stops

    async def _renew_while(self, stream: str, task: asyncio.Task[None],
                           stop: asyncio.Event) -> bool:
        """Renew the lease while the connector runs; True when it could not be renewed in time."""
        stopper = asyncio.create_task(stop.wait())
        try:
            while not task.done() and not stop.is_set():
                await asyncio.wait([task, stopper], timeout=RENEW_EVERY,
                                   return_when=asyncio.FIRST_COMPLETED)
                if task.done() or stop.is_set():
                    return False
                if not await self._take(stream) and \
                        time.monotonic() - self.owned[stream] > FENCE_AFTER - RENEW_EVERY:
                    return True
            return False
        finally:
            stopper.cancel()

    def _give_back(self, stream: str) -> None:
        """Free the lease at a clean end, so another replica need not wait for it to expire."""
        try:
            self.leases.give_back(stream)
            self._count(stream, "released")
        except Exception as exc:  # noqa: BLE001 - it expires on its own
            log.warning("replica %s: lease on %s not given back (%s)", self.id, stream,
                        str(exc)[:200])

    def _count(self, stream: str, event: str) -> None:
        self.metrics.leases.inc(self.id, stream, event)

    async def close(self) -> None:
        """Leave: the replica's row goes (its leases were given back as its streams stopped)."""
        await self._call("leave", self.leases.leave)
        self.leases.close()


async def _either(ready: asyncio.Event, stop: asyncio.Event) -> None:
    """Wait until one of the events is set."""
    waits = [asyncio.create_task(e.wait()) for e in (ready, stop)]
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for w in waits:
        w.cancel()
