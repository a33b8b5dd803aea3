"""Takedown cases in the store: one row per phishing host or impostor account, and its posts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from monitor.store.sqlite import Store, utcnow

CASE_KINDS = ("host", "account")
CASE_STATUSES = ("open", "reported", "down", "rejected")


def open_or_join(store: Store, kind: str, subject: str, post: tuple[str, str],
                 who: str) -> tuple[int, str]:
    """Open the case of a host or account with this post, or add the post to the case it has, in
    one audited transaction; returns the case id and 'opened', 'added' or 'had' (the post)."""
    platform, post_id = post
    stored = store.post(platform, post_id)
    seen = (stored and stored["created_at"]) or utcnow()
    detail = {"platform": platform, "post_id": post_id}
    with store.db.atomic():
        case = find_case(store, kind, subject)
        if case is None:
            case_id = insert_case(store, kind, subject, seen, who)
            add_case_post(store, case_id, platform, post_id, seen)
            store.audit(who, "case:open", {"case_id": case_id, **detail})
            return case_id, "opened"
        if not add_case_post(store, case["id"], platform, post_id, seen):
            return case["id"], "had"
        store.audit(who, "case:post", {"case_id": case["id"], **detail})
        return case["id"], "added"


def find_case(store: Store, kind: str, subject: str) -> dict[str, Any] | None:
    """The case of one host or account, or None."""
    rows = list(store.db.table("cases").rows_where("kind = ? AND subject = ?", [kind, subject]))
    return rows[0] if rows else None


def get_case(store: Store, case_id: int) -> dict[str, Any] | None:
    """One case by id, or None."""
    rows = list(store.db.table("cases").rows_where("id = ?", [case_id]))
    return rows[0] if rows else None


def insert_case(store: Store, kind: str, subject: str, first_seen: str, who: str) -> int:
    """A new open case; the caller has checked that none exists for (kind, subject)."""
    if kind not in CASE_KINDS:
        raise ValueError(f"unknown case kind {kind!r}")
    row = {"kind": kind, "subject": subject, "status": "open", "first_seen": first_seen,
           "updated_at": utcnow(), "opened_by": who, "reported_at": None, "closed_at": None,
           "note": ""}
    return int(store.db.table("cases").insert(row).last_rowid or 0)


def add_case_post(store: Store, case_id: int, platform: str, post_id: str, seen_at: str) -> bool:
    """Link a stored post to a case once; an earlier post moves the case's first_seen back.
    True when the post was new to the case."""
    cur = store.db.execute(
        "INSERT OR IGNORE INTO case_posts (case_id, platform, post_id, seen_at) "
        "VALUES (?, ?, ?, ?)",
        [case_id, platform, post_id, seen_at])
    store.db.execute("UPDATE cases SET first_seen = ? WHERE id = ? AND first_seen > ?",
                     [seen_at, case_id, seen_at])
    return bool(cur.rowcount)


def case_posts(store: Store, case_id: int) -> list[dict[str, Any]]:
    """The posts of a case, earliest first, with their (redacted) text, author and link."""
    sql = """
        SELECT c.platform, c.post_id, c.seen_at, p.channel, p.author_handle, p.text, p.url
        FROM case_posts c LEFT JOIN posts p ON p.platform = c.platform AND p.id = c.post_id
        WHERE c.case_id = ? ORDER BY c.seen_at, c.platform, c.post_id"""
    return [dict(r) for r in store.db.query(sql, [case_id])]


def list_cases(store: Store, statuses: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Cases, oldest first seen first, with how many posts each has; optionally of some statuses."""
    where = f"WHERE status IN ({', '.join('?' for _ in statuses)})" if statuses else ""
    sql = f"""
        SELECT k.*, (SELECT count(*) FROM case_posts c WHERE c.case_id = k.id) AS posts,
               (SELECT group_concat(DISTINCT c.platform) FROM case_posts c
                 WHERE c.case_id = k.id) AS platforms
        FROM cases k {where} ORDER BY k.first_seen, k.id"""
    return [dict(r) for r in store.db.query(sql, list(statuses))]


def move_case(store: Store, case_id: int, old: str, new: str, changes: dict[str, Any]) -> bool:
    """Move a case from status `old` to `new` with other column changes; False when it was not
    in `old` any more (a race lost)."""
    if new not in CASE_STATUSES:
        raise ValueError(f"unknown case status {new!r}")
    cols = {"status": new, "updated_at": utcnow(), **changes}
    sets = ", ".join(f"[{c}] = ?" for c in cols)
    cur = store.db.execute(f"UPDATE cases SET {sets} WHERE id = ? AND status = ?",
                           [*cols.values(), case_id, old])
    return cur.rowcount == 1
