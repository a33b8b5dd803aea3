"""Alert deliveries beyond the managers' chat, and the store queries the daily digest reads."""

from __future__ import annotations

from typing import Any

from monitor.store.sqlite import Store, utcnow


def claim_delivery(store: Store, action_id: int, channel: str) -> bool:
    """Record that this alert is going to `channel`; False when it went (or was going) before.
    Written before the call: a crash during it means the channel is not sent the alert again."""
    cur = store.db.execute(
        "INSERT OR IGNORE INTO alert_deliveries (action_id, channel, status, result, at) "
        "VALUES (?, ?, 'sending', '', ?)", [action_id, channel, utcnow()])
    return cur.rowcount == 1


def settle_delivery(store: Store, action_id: int, channel: str, status: str, result: str) -> None:
    """The channel's answer to one alert: sent or failed, and why (never the text)."""
    store.db.execute(
        "UPDATE alert_deliveries SET status = ?, result = ?, at = ? "
        "WHERE action_id = ? AND channel = ?", [status, result[:300], utcnow(), action_id, channel])


def deliveries(store: Store, action_id: int) -> dict[str, tuple[str, str]]:
    """channel -> (status, result) of one alert."""
    rows = store.db.table("alert_deliveries").rows_where("action_id = ?", [action_id])
    return {r["channel"]: (r["status"], r["result"]) for r in rows}


def finding_counts(store: Store, since: str) -> dict[str, int]:
    """Findings flagged since `since`, per kind."""
    sql = "SELECT kind, count(*) AS n FROM findings WHERE created_at >= ? GROUP BY kind"
    return {r["kind"]: r["n"] for r in store.db.query(sql, [since])}


def oldest_unreviewed(store: Store) -> dict[str, Any] | None:
    """The finding that has waited longest for a decision (status new), or None."""
    sql = """SELECT id, platform, post_id, kind, label, created_at FROM findings
             WHERE status = 'new' ORDER BY created_at, id LIMIT 1"""
    rows = list(store.db.query(sql))
    return dict(rows[0]) if rows else None
