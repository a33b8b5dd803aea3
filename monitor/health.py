"""The daemon's health: each connector's state and whether the database answers."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from monitor.store import Store

STATES = ("starting", "running", "restarting", "stopped", "ended")


@dataclass
class Health:
    """What /healthz reports; the supervisor moves each connector through STATES."""

    store: Store
    connectors: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    last_post: float | None = None

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
        """Healthy when the database answers and no connector is down (stopped or restarting)."""
        db = self.database_ok()
        down = [n for n, s in self.connectors.items() if s in ("stopped", "restarting")]
        ok = db and not down
        body = {
            "status": "ok" if ok else "degraded",
            "database": "ok" if db else "unavailable",
            "connectors": dict(self.connectors),
            "uptime_seconds": round(time.time() - self.started),
            "last_post_age_seconds": None
            if self.last_post is None
            else round(time.time() - self.last_post, 1),
        }
        return ok, body
