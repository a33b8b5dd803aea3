"""Store over sqlite_utils.Database: posts, findings, actions, cursors, reviews, audit log,
migrations."""

from __future__ import annotations

import json
import secrets as pysecrets
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from monitor.core.models import (
    ARRIVALS,
    EDIT_MARK,
    WAVE,
    Action,
    Context,
    Finding,
    History,
    Post,
    StoredAction,
    message_id,
)

# sqlite_utils (and the numpy, dateutil and more it brings) is imported when a Store is opened:
# ~0.3 s of start-up that `monitor scan`, which imports this module but stores nothing, never pays.
if TYPE_CHECKING:
    import sqlite_utils
    from sqlite_utils.db import Table


def utcnow() -> str:
    """Now as an ISO-8601 UTC string, the one time format the store uses."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _iso(value: datetime | None) -> str | None:
    """A datetime as ISO-8601 in UTC, or None; a time without offset is taken as UTC.

    Stored times are compared as text (`--since`), which only orders them right in one offset.
    """
    if value is None:
        return None
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.isoformat()


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
    db.table("audit").create(
        {"id": int, "at": str, "who": str, "action": str, "detail": str}, pk="id"
    )


def _v2(db: sqlite_utils.Database) -> None:
    """'In flight' becomes a status of its own (sending), with a count of claims, and an action
    keeps the text to send instead if the delete before it fails (rendered when planned)."""
    db.table("actions").add_column("attempts", int, not_null_default=0)
    db.table("actions").add_column("fallback", str, not_null_default="")
    db.execute("UPDATE actions SET status = 'sending', result = '', attempts = 1 "
               "WHERE status = 'planned' AND result = 'in flight'")


def _v3(db: sqlite_utils.Database) -> None:
    """Where a post was written (its group, server or subreddit) and where a restriction or ban
    applies."""
    db.table("posts").add_column("place", str, not_null_default="")
    db.table("actions").add_column("place", str, not_null_default="")


def _v4(db: sqlite_utils.Database) -> None:
    """Campaign memory: the (redacted) texts and the identifiers of findings managers confirmed,
    flagged (scam = 1) or dismissed (scam = 0); the daemon reads new rows by id."""
    db.table("memory_texts").create(
        {"id": int, "finding_id": int, "platform": str, "post_id": str, "scam": int, "text": str,
         "created_at": str},
        pk="id",
    )
    db.table("memory_actors").create(
        {"id": int, "finding_id": int, "scam": int, "kind": str, "value": str, "created_at": str},
        pk="id",
    )
    db.table("memory_texts").create_index(["created_at"])
    db.table("memory_actors").create_index(["created_at"])
    db.table("memory_actors").create_index(["kind", "value"])


def _users_tables(db: sqlite_utils.Database) -> None:
    """People who sign in to `monitor serve`: their role, password hash (argon2), personal API
    token (its SHA-256 only), sessions (the SHA-256 of the id only, with an expiry) and recent
    failed sign-ins (for throttling per name and per address)."""
    db.table("users").create(
        {"id": int, "name": str, "role": str, "password_hash": str, "token_hash": str,
         "active": int, "created_at": str, "changed_at": str, "last_sign_in": str},
        pk="id", not_null={"name", "role", "password_hash", "active"},
    )
    db.table("users").create_index(["name"], unique=True)
    db.table("users").create_index(["token_hash"], unique=True)
    db.table("sessions").create(
        {"id_hash": str, "user_id": int, "created_at": str, "expires_at": str}, pk="id_hash")
    db.table("sessions").create_index(["user_id"])
    db.table("sign_in_failures").create(
        {"id": int, "at": str, "name": str, "address": str}, pk="id")
    db.table("sign_in_failures").create_index(["name", "at"])
    db.table("sign_in_failures").create_index(["address", "at"])


def _takedown_cases(db: sqlite_utils.Database) -> None:
    """Takedown cases: one per phishing host or impostor account, and the posts it appeared in."""
    db.table("cases").create(
        {"id": int, "kind": str, "subject": str, "status": str, "first_seen": str,
         "updated_at": str, "opened_by": str, "reported_at": str, "closed_at": str, "note": str},
        pk="id",
    )
    db.table("cases").create_index(["kind", "subject"], unique=True)
    db.table("cases").create_index(["status"])
    db.table("case_posts").create(
        {"case_id": int, "platform": str, "post_id": str, "seen_at": str},
        pk=("case_id", "platform", "post_id"),
    )


def _alert_deliveries(db: sqlite_utils.Database) -> None:
    """Where each alert went beyond the managers' chat: one row per action and channel, written
    before the call, so a channel is never sent one alert twice (at-most-once out)."""
    db.table("alert_deliveries").create(
        {"action_id": int, "channel": str, "status": str, "result": str, "at": str},
        pk=("action_id", "channel"),
    )


def _author_places(db: sqlite_utils.Database) -> None:
    """An author's posts in one place, counted for each batch (newcomers, waves)."""
    db.table("posts").create_index(["platform", "place", "author_id"])


def _recent_actions(db: sqlite_utils.Database) -> None:
    """What the sender reads each round: a platform's actions gone out since a time (the rate
    limits, store/action_rows.py) and the replies to one post (one reply per post)."""
    db.table("actions").create_index(["platform", "status", "updated_at", "kind"])
    db.table("actions").create_index(["platform", "kind", "target"])


def _replicas(db: sqlite_utils.Database) -> None:
    """Replicas sharing one Postgres (monitor.store.leases): each replica's heartbeat, the lease on
    each stream (one owner at a time) and which replica claimed an action being sent."""
    db.table("replicas").create(
        {"id": str, "host": str, "pid": int, "started_at": str, "seen": float, "streams": str},
        pk="id")
    db.table("leases").create(
        {"stream": str, "owner": str, "expires": float, "since": str}, pk="stream")
    db.table("actions").add_column("claimed_by", str, not_null_default="")


# Migrations in order; the schema version is the number applied. Append, never edit.
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _v1, _v2, _v3, _v4, _users_tables, _takedown_cases, _alert_deliveries,
    _author_places, _recent_actions, _replicas)
FINDING_STATUSES = ("new", "confirmed", "false_positive", "resolved")
ACTION_STATUSES = ("planned", "held", "sending", "sent", "failed", "skipped")


# A flagged item's time: its post's, from the platform; the flag's only when the platform gave none
# (a replay of old posts is flagged today, but belongs to the day it was posted).
ITEM_TIME = "coalesce(p.created_at, f.created_at)"


def _parse_time(value: str | None) -> datetime | None:
    """A stored ISO time as a datetime (UTC when it has no offset), None for none."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _gone_out(alias: str = "") -> str:
    """SQL that holds for an action sent or being sent: the sender claims a round of actions before
    it performs any, and the rate limits must count those claimed before them in the same round."""
    a = f"{alias}." if alias else ""
    return f"({a}status IN ('sent', 'sending'))"


# Stores opened by URL scheme instead of an SQLite path (monitor.store.postgres adds its own).
URL_STORES: dict[str, type[Store]] = {}


def stored_action(row: dict[str, Any]) -> StoredAction:
    """The frozen value of an actions row."""
    action = Action(row["kind"], row["platform"], row["target"], row["text"], row["reason"],
                    row.get("fallback") or "", row.get("place") or "")
    return StoredAction(row["id"], row["post_id"], action, row["status"], row["result"] or "",
                        row.get("attempts") or 0)


class Store:
    """The only place state lives. Redacted text only: callers hand in already-redacted posts.

    A `postgresql://` URL opens the same Store on Postgres (monitor.store.postgres.PgStore)."""

    replica = ""  # the replica that claims actions (Postgres replicas); '' for a lone process

    def __new__(cls, path: str | Path, *args: Any, **kwargs: Any) -> Self:
        kind = next((k for scheme, k in URL_STORES.items() if str(path).startswith(scheme)), cls)
        return super().__new__(kind if cls is Store else cls)  # type: ignore[return-value]

    def __init__(self, path: str | Path) -> None:
        import sqlite_utils

        self.path = str(path)
        self.db = (
            sqlite_utils.Database(self.path)
            if self.path != ":memory:"
            else sqlite_utils.Database(memory=True)
        )
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
            "place": post.place, "seen_at": utcnow(),
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

    def kinds_flagged(self, platform: str, message_id: str) -> set[str]:
        """The finding kinds flagged on any stored version of a message (the message and its
        edits)."""
        rows = self.db.execute(
            "SELECT DISTINCT kind FROM findings WHERE platform = ? "
            "AND (post_id = ? OR substr(post_id, 1, ?) = ?)",
            [platform, message_id, len(message_id) + len(EDIT_MARK), f"{message_id}{EDIT_MARK}"],
        ).fetchall()
        return {r[0] for r in rows}

    def context(self, posts: Sequence[Post]) -> Context:
        """In one query, the kinds flagged on every stored version of each message the posts reply
        to or edit, and each author's stored messages in the place of their post: what the pipeline
        needs to read them in their thread and place."""
        keys = sorted({(p.platform, m) for p in posts for m in (p.reply_to, p.edit_of) if m})
        authors = sorted({(p.platform, p.place, p.author.id) for p in posts if p.channel != "dm"})
        parts, args = [], []
        if keys:
            clauses = []
            for platform, message in keys:  # the message itself or one of its edits (id~e...)
                clauses.append("(platform = ? AND (post_id = ? OR substr(post_id, 1, ?) = ?))")
                args += [platform, message, len(message) + len(EDIT_MARK),
                         f"{message}{EDIT_MARK}"]
            parts.append("SELECT DISTINCT 'f', platform, post_id, kind, 0, NULL FROM findings "
                         f"WHERE {' OR '.join(clauses)}")
        if authors:
            arrivals = ", ".join("?" for _ in ARRIVALS)
            # a message, not an arrival or an edit of one already counted
            parts.append(
                "SELECT 'h', platform, place, author_id, "
                f"sum(text NOT IN ({arrivals}) AND instr(id, ?) = 0), "
                "min(coalesce(created_at, seen_at)) FROM posts WHERE "
                + " OR ".join("(platform = ? AND place = ? AND author_id = ?)" for _ in authors)
                + " GROUP BY platform, place, author_id")
            args += [*ARRIVALS, EDIT_MARK, *(v for key in authors for v in key)]
        if not parts:
            return Context()
        flagged: dict[tuple[str, str], set[str]] = {}
        history = {key: History() for key in authors}  # an author never seen there: none
        for tag, a, b, c, n, first in self.db.execute(" UNION ALL ".join(parts), args).fetchall():
            if tag == "f":
                flagged.setdefault((a, message_id(b)), set()).add(c)
            else:
                history[(a, b, c)] = History(int(n or 0), _parse_time(first))
        return Context({key: frozenset(kinds) for key, kinds in flagged.items()}, history)

    def add_findings(self, post: Post, findings: list[Finding]) -> list[int]:
        """Store a post's findings as new; returns their ids."""
        now = utcnow()
        ids = []
        for f in findings:
            row = {
                "platform": post.platform,
                "post_id": post.id,
                "kind": f.kind,
                "label": f.label,
                "score": round(f.score, 4),
                "evidence": f.evidence,
                "detector": f.detector,
                "fingerprint": f.fingerprint,
                "status": "new",
                "created_at": now,
                "updated_at": now,
            }
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

    def record_more(self, post: Post, findings: list[Finding], actions: list[Action],
                    statuses: list[str]) -> bool:
        """Add findings and actions to a stored post (a wave raised after it); nothing when the post
        is not stored or already has a finding of the same label and fingerprint. Whether added."""
        if not self.has_post(post.platform, post.id):
            return False
        stored = {(f["label"], f["fingerprint"]) for f in self.post_findings(*post.key)}
        findings = [f for f in findings if (f.label, f.fingerprint) not in stored]
        if not findings:
            return False
        self.add_findings(post, findings)
        for action, status in zip(actions, statuses, strict=True):
            self.plan_action(post, action, status)
        return True

    def dismissed_waves(self) -> list[str]:
        """The names (fingerprints) of the waves whose raising finding a manager dismissed."""
        sql = ("SELECT DISTINCT fingerprint FROM findings WHERE kind = 'impersonation' "
               f"AND status = 'false_positive' AND label = '{WAVE}' "
               "AND fingerprint = 'wave:' || platform || ':' || post_id")
        return [r[0] for r in self.db.execute(sql).fetchall()]

    def recent_posts(self, limit: int) -> list[dict[str, Any]]:
        """The newest `limit` posts outside DMs, oldest first, each with `at` (its time), `before`
        (its author's messages in the place before it), `first_here` (when the author was first
        seen there) and `wave` (the fingerprint of its wave finding, or None): what a wave tracker
        is rebuilt from at start."""
        sql = f"""
            SELECT p.*, coalesce(p.created_at, p.seen_at) AS at,
              (SELECT count(*) FROM posts q WHERE q.platform = p.platform AND q.place = p.place
                 AND q.author_id = p.author_id AND q.rowid < p.rowid
                 AND q.text NOT IN ({", ".join("?" for _ in ARRIVALS)})
                 AND instr(q.id, ?) = 0) AS before,
              (SELECT min(coalesce(q.created_at, q.seen_at)) FROM posts q
                 WHERE q.platform = p.platform AND q.place = p.place
                 AND q.author_id = p.author_id AND q.rowid < p.rowid) AS first_here,
              (SELECT f.fingerprint FROM findings f WHERE f.platform = p.platform
                 AND f.post_id = p.id AND f.label = '{WAVE}' LIMIT 1) AS wave
            FROM posts p WHERE p.rowid IN
              (SELECT rowid FROM posts WHERE channel != 'dm' ORDER BY rowid DESC LIMIT ?)
            ORDER BY p.rowid"""
        return [dict(r) for r in self.db.query(sql, [*ARRIVALS, EDIT_MARK, limit])]

    # -- actions ----------------------------------------------------------------------------
    def plan_action(self, post: Post, action: Action, status: str = "planned") -> int | None:
        """Record an action keyed by (post, kind) before anything is sent; None if it exists."""
        return self.plan_on(post.platform, post.id, action, status)

    def plan_on(self, platform: str, post_id: str, action: Action,
                status: str = "planned") -> int | None:
        """plan_action for a stored post named by its key (a manager's undo or approval)."""
        now = utcnow()
        row = {"platform": platform, "post_id": post_id, "kind": action.kind,
               "target": action.target, "text": action.text, "reason": action.reason,
               "fallback": action.fallback, "place": action.place, "status": status,
               "result": "", "attempts": 0,
               "created_at": now, "updated_at": now}
        return self._insert_new("actions", row)

    def actions(self, status: str | None = None) -> Iterator[dict[str, Any]]:
        """Actions, oldest first, optionally of one status."""
        where, args = ("status = ?", [status]) if status else (None, None)
        return self._t("actions").rows_where(where, args, order_by="id")

    def queued(self, status: str = "planned") -> list[StoredAction]:
        """The actions of one status as frozen values, oldest first (the sender's queue)."""
        return [stored_action(r) for r in self.actions(status)]

    def mark_sending(self, action_id: int) -> None:
        """Claim an action for sending: the idempotency mark, written before the platform call."""
        self.db.execute("UPDATE actions SET status = 'sending', result = '', claimed_by = ?, "
                        "attempts = attempts + 1, updated_at = ? WHERE id = ?",
                        [self.replica, utcnow(), action_id])

    def claimable(self) -> list[StoredAction]:
        """The planned actions a sending round may claim, oldest first (in its transaction)."""
        return self.queued("planned")

    def interrupted(self) -> list[StoredAction]:
        """Actions left sending by a process that died: failed at start, never resent."""
        return self.queued("sending")

    def set_action_status(self, action_id: int, status: str, result: str = "") -> None:
        """Move an action to a new status with the platform's answer."""
        if status not in ACTION_STATUSES:
            raise ValueError(f"unknown action status {status!r}")
        self._t("actions").update(
            action_id, {"status": status, "result": result, "updated_at": utcnow()}
        )

    def set_action_text(self, action_id: int, text: str) -> None:
        """Replace an action's text before it is sent (a removal notice when the delete failed)."""
        self._t("actions").update(action_id, {"text": text, "updated_at": utcnow()})

    def post(self, platform: str, post_id: str) -> dict[str, Any] | None:
        """One stored post, or None."""
        rows = list(self._t("posts").rows_where("platform = ? AND id = ?", [platform, post_id]))
        return rows[0] if rows else None

    def latest_post_id(self, platform: str, author_id: str) -> str | None:
        """The id of an author's newest stored post (what a report of the account points at)."""
        row = self.db.execute("SELECT id FROM posts WHERE platform = ? AND author_id = ? "
                              "ORDER BY created_at DESC, rowid DESC LIMIT 1",
                              [platform, author_id]).fetchone()
        return str(row[0]) if row else None

    def reply_went_to(self, platform: str, target: str, finding_kind: str, exclude_id: int) -> bool:
        """Whether another reply for this finding kind went to this post or is in flight."""
        sql = (
            "SELECT 1 FROM actions WHERE platform = ? AND kind = 'reply' AND target = ? "
            "AND id != ? "
            f"AND substr(reason, 1, ?) = ? AND {_gone_out()}"
        )
        prefix = finding_kind + ":"
        return (
            self.db.execute(sql, [platform, target, exclude_id, len(prefix), prefix]).fetchone()
            is not None
        )

    # -- cursors, reviews, audit ------------------------------------------------------------
    def cursor(self, name: str) -> str | None:
        """Where a connector left off."""
        rows = list(self._t("cursors").rows_where("name = ?", [name]))
        return rows[0]["value"] if rows else None

    def set_cursor(self, name: str, value: str) -> None:
        """Save where a connector is, after the item was stored."""
        self._t("cursors").upsert({"name": name, "value": value, "updated_at": utcnow()}, pk="name")

    def cursors(self, prefix: str) -> dict[str, str]:
        """Every cursor whose name starts with `prefix`, by name (e.g. one per watched channel)."""
        rows = self._t("cursors").rows_where("substr(name, 1, ?) = ?", [len(prefix), prefix])
        return {r["name"]: r["value"] for r in rows}

    def review(self, finding_id: int, decision: str, who: str, note: str = "") -> None:
        """Record a manager's decision on a finding and move its status."""
        if decision not in FINDING_STATUSES:
            raise ValueError(
                f"unknown decision {decision!r}; use one of {', '.join(FINDING_STATUSES)}"
            )
        with self.db.atomic():
            self._t("findings").update(finding_id, {"status": decision, "updated_at": utcnow()})
            self._t("reviews").insert({"finding_id": finding_id, "decision": decision, "who": who,
                                       "note": note, "at": utcnow()})
            self.audit(who, f"review:{decision}", {"finding_id": finding_id})

    # -- campaign memory --------------------------------------------------------------------
    def remember(self, finding_id: int, scam: bool, text: str | None,
                 identifiers: Sequence[tuple[str, str]], post: tuple[str, str]) -> None:
        """Memory rows for a reviewed finding: its post's redacted text (None: too little to keep)
        and its identifiers (kind, value)."""
        now = utcnow()
        with self.db.atomic():
            if text is not None:
                self._t("memory_texts").insert(
                    {"finding_id": finding_id, "platform": post[0], "post_id": post[1],
                     "scam": int(scam), "text": text, "created_at": now})
            self._t("memory_actors").insert_all(
                [{"finding_id": finding_id, "scam": int(scam), "kind": kind, "value": value,
                  "created_at": now} for kind, value in identifiers])

    def memory_rows(self, table: str, after: int, since: str,
                    limit: int = 10_000) -> list[dict[str, Any]]:
        """Rows of memory_texts or memory_actors with an id above `after` made since `since`, in
        id order, at most `limit`."""
        if table not in ("memory_texts", "memory_actors"):
            raise ValueError(f"not a memory table: {table!r}")
        return list(self._t(table).rows_where(
            "id > ? AND created_at >= ?", [after, since], order_by="id", limit=limit))

    def prune_memory(self, before: str, keep: int) -> int:
        """Delete memory rows made before `before`, and texts beyond the newest `keep`; how many."""
        with self.db.atomic():
            gone = 0
            for table in ("memory_texts", "memory_actors"):
                gone += self.db.execute(
                    f"DELETE FROM {table} WHERE created_at < ?", [before]
                ).rowcount
            gone += self.db.execute(
                "DELETE FROM memory_texts WHERE id <= (SELECT max(id) FROM memory_texts) - ?",
                [keep]).rowcount
        return gone

    def audit(self, who: str, action: str, detail: dict[str, Any]) -> None:
        """Append to the audit log."""
        self._t("audit").insert({"at": utcnow(), "who": who, "action": action,
                                 "detail": json.dumps(detail, ensure_ascii=False)})

    def flagged(self, since: str | None = None, statuses: Sequence[str] = (),
                finding_id: int | None = None) -> list[dict[str, Any]]:
        """Findings with their post and the actions on that post, newest post first; optionally
        filtered. `posted_at` is the post's own time (None when its platform gave none),
        `flagged_at` (and `created_at`, its older name) the finding's."""
        clauses, args = _flagged_filter(since, statuses, finding_id)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        # +a.status: look actions up by post, not by status
        sql = f"""
            SELECT f.*, p.channel, p.author_id, p.author_handle, p.author_name, p.text, p.url,
                   p.lang,
                   p.created_at AS posted_at,
                   f.created_at AS flagged_at,
                   (SELECT group_concat(a.kind || ':' || a.status, ', ') FROM actions a
                     WHERE a.platform = f.platform AND a.post_id = f.post_id) AS actions,
                   (SELECT group_concat(a.id || ':' || a.kind, ',') FROM actions a
                     WHERE a.platform = f.platform AND a.post_id = f.post_id
                       AND +a.status = 'held') AS held_actions
            FROM findings f JOIN posts p ON p.platform = f.platform AND p.id = f.post_id
            {where} ORDER BY {ITEM_TIME} DESC, f.id DESC"""
        return [dict(r) for r in self.db.query(sql, args)]

    def post_actions(self, platform: str, post_id: str) -> list[dict[str, Any]]:
        """The actions recorded for one post, oldest first."""
        return list(self._t("actions").rows_where(
            "platform = ? AND post_id = ?", [platform, post_id], order_by="id"))

    def post_findings(self, platform: str, post_id: str) -> list[dict[str, Any]]:
        """The findings recorded for one post, oldest first."""
        return list(self._t("findings").rows_where(
            "platform = ? AND post_id = ?", [platform, post_id], order_by="id"))

    def reviews_of(self, finding_id: int) -> list[dict[str, Any]]:
        """The decisions taken on one finding, oldest first."""
        return list(self._t("reviews").rows_where("finding_id = ?", [finding_id], order_by="id"))

    def decision_counts(self, since: str) -> list[dict[str, Any]]:
        """Per detector, kind and decision: findings whose latest decision was taken since
        `since`."""
        sql = """
            SELECT f.detector, f.kind, r.decision, count(*) AS n
            FROM reviews r JOIN findings f ON f.id = r.finding_id
            WHERE r.id IN (SELECT max(id) FROM reviews GROUP BY finding_id) AND r.at >= ?
            GROUP BY f.detector, f.kind, r.decision ORDER BY f.kind, f.detector"""
        return [dict(r) for r in self.db.query(sql, [since])]

    def move_action(self, action_id: int, old: str, new: str) -> bool:
        """Move an action from status `old` to `new`; False when it was not in `old` (a race
        lost)."""
        if new not in ACTION_STATUSES:
            raise ValueError(f"unknown action status {new!r}")
        cur = self.db.execute(
            "UPDATE actions SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
            [new, utcnow(), action_id, old],
        )
        return cur.rowcount == 1


def _flagged_filter(since: str | None, statuses: Sequence[str],
                    finding_id: int | None) -> tuple[list[str], list[Any]]:
    """The WHERE clauses and arguments of Store.flagged()."""
    clauses: list[str] = []
    args: list[Any] = []
    if since:
        clauses.append(f"{ITEM_TIME} >= ?")
        args.append(since)
    if statuses:
        clauses.append(f"f.status IN ({', '.join('?' for _ in statuses)})")
        args.extend(statuses)
    if finding_id is not None:
        clauses.append("f.id = ?")
        args.append(finding_id)
    return clauses, args
