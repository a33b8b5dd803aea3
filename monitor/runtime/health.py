"""The daemon's health: each connector's state and whether the database answers."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from monitor.connectors.protocol import Condition, Connector
from monitor.store import Store

STATES = ("starting", "running", "restarting", "stopped", "ended", "standby")


@dataclass
class Health:
    """What /healthz reports; the supervisor moves each connector through STATES."""

    store: Store
    connectors: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    last_post: float | None = None
    # asked for their conditions() per report
    watched: list[Connector] = field(default_factory=list)
    replica: Any = None  # runtime.replicas.Replica, when one of several on one Postgres

    def watch(self, connectors: Sequence[Connector]) -> None:
        """The connectors whose conditions (a usage cap, privacy mode, an unreadable place) /healthz
        shows."""
        self.watched = list(connectors)

    def conditions(self) -> dict[str, dict[str, Condition]]:
        """Each connector's current conditions, those with none left out."""
        found = {}
        for connector in self.watched:
            ask = getattr(connector, "conditions", None)
            if ask is not None and (now := ask()):
                found[connector.name] = now
        return found

    def set(self, connector: str, state: str) -> None:
        """Record a connector's new state."""
        if state not in STATES:
            raise ValueError(f"unknown connector state {state!r}")
        self.connectors[connector] = state

    def database_ok(self) -> bool:
        """Whether the database answers a query."""
        try:
            self.store.db.execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def report(self) -> tuple[bool, dict[str, Any]]:
        """Healthy when the database answers and no connector is down (stopped, restarting, or
        paused by a condition such as X's usage cap); blind spots are listed under conditions."""
        db = self.database_ok()
        conditions = self.conditions()
        states = dict(self.connectors)
        for name, found in conditions.items():  # running, but watching nothing until a person acts
            if states.get(name) == "running" and any(c.degraded for c in found.values()):
                states[name] = "paused"
        down = [n for n, s in states.items() if s in ("stopped", "restarting", "paused")]
        ok = db and not down
        body = {
            "status": "ok" if ok else "degraded",
            "database": "ok" if db else "unavailable",
            "connectors": states,
            "conditions": {name: {key: c.message for key, c in found.items()}
                           for name, found in conditions.items()},
            "uptime_seconds": round(time.time() - self.started),
            "last_post_age_seconds": None
            if self.last_post is None
            else round(time.time() - self.last_post, 1),
        }
        if self.replica is not None:  # which streams this replica owns (standby: another does)
            body["replica"] = {"id": self.replica.id, "streams": self.replica.streams()}
        return ok, body
