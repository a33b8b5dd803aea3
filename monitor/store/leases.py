"""Replicas sharing one database: each replica's heartbeat, and a lease on each connector stream
(one owner at a time), both timed by the database's clock so the replicas' clocks do not matter.

A lease is taken when free or expired, renewed by its owner, and given back at a clean stop. Its
owner stops reading the stream when it could not renew for less than the lease lasts (the
fence, runtime/replicas.py), so a stream never has two owners.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from monitor.store.postgres import NOW, PgDatabase
from monitor.store.sqlite import Store, utcnow

SQLITE_NOW = "((julianday('now') - 2440587.5) * 86400.0)"
LEASE_STATEMENT_TIMEOUT_MS = 5_000  # a renewal stuck longer counts as not renewed


class Leases:
    """The lease and heartbeat rows of one replica, on a connection of their own (a renewal never
    waits behind the store's transactions)."""

    def __init__(self, store: Store, replica: str, ttl: float) -> None:
        self.replica, self.ttl = replica, ttl
        self.postgres = isinstance(store.db, PgDatabase)
        self.db: Any = (PgDatabase(store.path, LEASE_STATEMENT_TIMEOUT_MS) if self.postgres
                        else store.db)
        self.now = NOW if self.postgres else SQLITE_NOW

    def beat(self, streams: list[str]) -> None:
        """This replica is alive, owning these streams."""
        self.db.execute(
            "INSERT INTO replicas (id, host, pid, started_at, seen, streams) "
            f"VALUES (?, ?, ?, ?, {self.now}, ?) ON CONFLICT (id) DO UPDATE SET "
            "seen = EXCLUDED.seen, streams = EXCLUDED.streams",
            [self.replica, socket.gethostname(), os.getpid(), utcnow(), ",".join(streams)])

    def take(self, stream: str) -> bool:
        """Take the stream's lease if it is free or expired, or renew it if ours; whether we
        hold it now."""
        row = self.db.execute(
            "INSERT INTO leases (stream, owner, expires, since) "
            f"VALUES (?, ?, {self.now} + ?, ?) ON CONFLICT (stream) DO UPDATE SET "
            "owner = EXCLUDED.owner, expires = EXCLUDED.expires, since = CASE WHEN "
            "leases.owner = EXCLUDED.owner THEN leases.since ELSE EXCLUDED.since END "
            f"WHERE leases.owner = EXCLUDED.owner OR leases.expires < {self.now} "
            "RETURNING owner",
            [stream, self.replica, self.ttl, utcnow()]).fetchone()
        return row is not None and row[0] == self.replica

    def give_back(self, stream: str) -> None:
        """Free the stream's lease at once (a clean stop), so another replica need not wait."""
        self.db.execute("DELETE FROM leases WHERE stream = ? AND owner = ?",
                        [stream, self.replica])

    def leave(self) -> None:
        """This replica stops: its row goes, so what it left sending is failed at once."""
        self.db.execute("DELETE FROM replicas WHERE id = ?", [self.replica])

    def live(self, within: float) -> int:
        """How many replicas beat within the last `within` seconds."""
        row = self.db.execute(f"SELECT count(*) FROM replicas WHERE seen > {self.now} - ?",
                              [within]).fetchone()
        return int(row[0])

    def owners(self) -> dict[str, str]:
        """Each stream's owner while its lease runs."""
        rows = self.db.execute(
            f"SELECT stream, owner FROM leases WHERE expires >= {self.now}").fetchall()
        return {r[0]: r[1] for r in rows}

    def close(self) -> None:
        if self.postgres:
            self.db.close()
