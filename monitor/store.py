"""Store over sqlite_utils.Database: posts, findings, actions, cursors, reviews, audit log, migrations."""

from __future__ import annotations

import json
import secrets as pysecrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.db import Table

from monitor.models import Action, Finding, Post


def utcnow() -> str:
    """Now as an ISO-8601 UTC string, the one time format the store uses."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _iso(value: datetime | None) -> str | None:
    """A datetime as ISO-8601, or None."""
    return value.isoformat() if value else None


def _v1(db: sqlite_utils.Database) -> None:
    """The first schema: every table the house plan names."""
    db.table("posts").create(
        {"platform": str, "id": str, "channel": str, "author_id": str, "author_handle": str,
         "author_name": str, "text": str, "lang": str, "created_at": str, "url": str,
         "reply_to": str, "seen_at": str},
        pk=("platform", "id"),
    )
    db.table("findings").create(
        {"id": int, "platform": str, "post_id": str, "kind": str, "label": str, "score": float,
         "evidence": str, "detector": str, "fingerprint": str, "status": str,
         "created_at": str, "updated_at": str},
        pk="id",
    )
    db.table("findings").create_index(["platform", "post_id"])
    db.table("findings").create_index(["kind", "status"])
    db.table("actions").create(
        {"id": int, "platform": str, "post_id": str, "kind": str, "target": str, "text": str,
         "reason": str, "status": str, "result": str, "created_at": str, "updated_at": str},
        pk="id",
    )
    db.table("actions").create_index(["platform", "post_id", "kind"], unique=True)
    db.table("actions").create_index(["status"])
    db.table("cursors").create({"name": str, "value": str, "updated_at": str}, pk="name")
    db.table("reviews").create(
        {"id": int, "finding_id": int, "decision": str, "who": str, "note": str, "at": str}, pk="id"
    )
    db.table("audit").create({"id": int, "at": str, "who": str, "action": str, "detail": str}, pk="id")


# Migrations in order; the schema version is the number applied. Append, never edit.
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (_v1,)
FINDING_STATUSES = ("new", "confirmed", "false_positive", "resolved")
ACTION_STATUSES = ("planned", "held", "sent", "failed", "skipped")


class Store:
    """The only place state lives. Redacted text only: callers hand in already-redacted posts."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.db = sqlite_utils.Database(self.path) if self.path != ":memory:" else sqlite_utils.Database(memory=True)
        if self.path != ":memory:":
            self.db.enable_wal()
        self.db.execute("PRAGMA busy_timeout = 5000")
        self._migrate()

    def _t(self, name: str) -> Table:
        """A table by name."""
        return self.db.table(name)

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        self.db.close()

    # -- schema -----------------------------------------------------------------------------
    def _migrate(self) -> None:
        """Apply the migrations this database has not seen yet, each in its own transaction."""
        if "meta" not in self.db.table_names():
            self._t("meta").create({"key": str, "value": str}, pk="key")
        for version, step in enumerate(MIGRATIONS, start=1):
            if self.schema_version() < version:
                with self.db.atomic():
                    step(self.db)
                    self.set_meta("schema_version", str(version))

    def schema_version(self) -> int:
        """The number of migrations applied."""
        return int(self.meta("schema_version") or 0)

    def meta(self, key: str) -> str | None:
        """A value from the meta table."""
        rows = list(self._t("meta").rows_where("key = ?", [key]))
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        """Set a value in the meta table."""
        self._t("meta").upsert({"key": key, "value": value}, pk="key")

    def salt(self) -> bytes:
        """The fingerprint salt kept in this database, made once at random."""
        value = self.meta("salt")
        if value is None:
            value = pysecrets.token_hex(32)
            self.set_meta("salt", value)
        return bytes.fromhex(value)

    # -- posts and findings -----------------------------------------------------------------
    def add_post(self, post: Post, lang: str = "") -> bool:
        """Store a (redacted) post once; True when it was new."""
        return self._insert_new("posts", self._post_row(post, lang)) is not None

    @staticmethod
    def _post_row(post: Post, lang: str) -> dict[str, Any]:
        """The row for a post; `raw` is never stored because it may hold the unredacted text."""
        return {
            "platform": post.platform, "id": post.id, "channel": post.channel,
            "author_id": post.author.id, "author_handle": post.author.handle,
            "author_name": post.author.name, "text": post.text, "lang": lang,
            "created_at": _iso(post.created_at), "url": post.url, "reply_to": post.reply_to,
            "seen_at": utcnow(),
        }

    def _insert_new(self, table: str, row: dict[str, Any]) -> int | None:
        """INSERT OR IGNORE: the new rowid, or None when a row with the same key exists."""
        cols = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        sql = f"INSERT OR IGNORE INTO [{table}] ({cols}) VALUES ({marks})"
        cur = self.db.execute(sql, list(row.values()))
        return cur.lastrowid if cur.rowcount else None

    def has_post(self, platform: str, post_id: str) -> bool:
        """Whether a post was stored already."""
        return bool(self.db.execute(
            "SELECT 1 FROM posts WHERE platform = ? AND id = ?", [platform, post_id]).fetchone())

    def add_findings(self, post: Post, findings: list[Finding]) -> list[int]:
        """Store a post's findings as new; returns their ids."""
        now = utcnow()
        ids = []
        for f in findings:
            row = {"platform": post.platform, "post_id": post.id, "kind": f.kind, "label": f.label,
                   "score": round(f.score, 4), "evidence": f.evidence, "detector": f.detector,
                   "fingerprint": f.fingerprint, "status": "new", "created_at": now, "updated_at": now}
            ids.append(int(self._t("findings").insert(row).last_rowid or 0))
        return ids

    def record(self, post: Post, findings: list[Finding], actions: list[Action],
               statuses: list[str], lang: str = "") -> bool:
        """Store a post with its findings and planned actions in one transaction; False if seen."""
        with self.db.atomic():
            if not self.add_post(post, lang):
                return False
            self.add_findings(post, findings)
            for action, status in zip(actions, statuses, strict=True):
                self.plan_action(post, action, status)
        return True

    # -- actions ----------------------------------------------------------------------------
    def plan_action(self, post: Post, action: Action, status: str = "planned") -> int | None:
        """Record an action keyed by (post, kind) before anything is sent; None if it exists."""
        now = utcnow()
        row = {"platform": post.platform, "post_id": post.id, "kind": action.kind,
               "target": action.target, "text": action.text, "reason": action.reason,
               "status": status, "result": "", "created_at": now, "updated_at": now}
        return self._insert_new("actions", row)

    def actions(self, status: str | None = None) -> Iterator[dict[str, Any]]:
        """Actions, oldest first, optionally of one status."""
        where, args = ("status = ?", [status]) if status else (None, None)
        return self._t("actions").rows_where(where, args, order_by="id")

    def set_action_status(self, action_id: int, status: str, result: str = "") -> None:
        """Move an action to a new status with the platform's answer."""
        if status not in ACTION_STATUSES:
            raise ValueError(f"unknown action status {status!r}")
        self._t("actions").update(action_id, {"status": status, "result": result, "updated_at": utcnow()})

    # -- cursors, reviews, audit ------------------------------------------------------------
    def cursor(self, name: str) -> str | None:
        """Where a connector left off."""
        rows = list(self._t("cursors").rows_where("name = ?", [name]))
        return rows[0]["value"] if rows else None

    def set_cursor(self, name: str, value: str) -> None:
        """Save where a connector is, after the item was stored."""
        self._t("cursors").upsert({"name": name, "value": value, "updated_at": utcnow()}, pk="name")

    def review(self, finding_id: int, decision: str, who: str, note: str = "") -> None:
        """Record a manager's decision on a finding and move its status."""
        if decision not in FINDING_STATUSES:
            raise ValueError(f"unknown decision {decision!r}; use one of {', '.join(FINDING_STATUSES)}")
        with self.db.atomic():
            self._t("findings").update(finding_id, {"status": decision, "updated_at": utcnow()})
            self._t("reviews").insert({"finding_id": finding_id, "decision": decision, "who": who,
                                       "note": note, "at": utcnow()})
            self.audit(who, f"review:{decision}", {"finding_id": finding_id})

    def audit(self, who: str, action: str, detail: dict[str, Any]) -> None:
        """Append to the audit log."""
        self._t("audit").insert({"at": utcnow(), "who": who, "action": action,
                                 "detail": json.dumps(detail, ensure_ascii=False)})

    def flagged(self) -> list[dict[str, Any]]:
        """Every finding with its post and the actions taken on that post, newest first."""
        sql = """
            SELECT f.*, p.channel, p.author_handle, p.author_name, p.text, p.url, p.lang,
                   p.created_at AS post_created_at,
                   (SELECT group_concat(a.kind || ':' || a.status, ', ') FROM actions a
                     WHERE a.platform = f.platform AND a.post_id = f.post_id) AS actions
            FROM findings f JOIN posts p ON p.platform = f.platform AND p.id = f.post_id
            ORDER BY f.id DESC"""
        return [dict(r) for r in self.db.query(sql)]
