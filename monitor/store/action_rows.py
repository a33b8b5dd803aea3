"""The sender's reads of recent actions: replies and DMs gone out on a platform since a time, for
the rate limits (read once per sending round, over the index of migration 9)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from monitor.store.sqlite import Store, _gone_out

# Sent, or claimed in this round and being sent: the limits count both.
GONE_OUT = _gone_out("a")


def count_gone_out(store: Store, platform: str, kinds: Sequence[str], since: str,
                   cap: int) -> int:
    """Actions of these kinds sent (or in flight) on a platform since an ISO time, counted up to
    `cap`: a ceiling only needs to know it is reached, so a busy hour is never scanned whole."""
    sql = (f"SELECT count(*) FROM (SELECT 1 FROM actions a WHERE a.platform = ? AND {GONE_OUT} "
           f"AND a.updated_at >= ? AND a.kind IN ({_marks(kinds)}) LIMIT ?) AS recent")
    return int(store.db.execute(sql, [platform, since, *kinds, cap]).fetchone()[0])


def gone_out_since(store: Store, platform: str, kinds: Sequence[str],
                   since: str) -> list[dict[str, Any]]:
    """Actions of these kinds sent (or in flight) on a platform since an ISO time, each with its
    post's author and thread (the post it answers, or itself): what the cooldowns look back on."""
    sql = ("SELECT a.post_id, a.kind, a.updated_at, p.author_id, "
           "coalesce(p.reply_to, p.id) AS thread FROM actions a "
           "JOIN posts p ON p.platform = a.platform AND p.id = a.post_id "
           f"WHERE a.platform = ? AND {GONE_OUT} AND a.updated_at >= ? "
           f"AND a.kind IN ({_marks(kinds)})")
    return [dict(r) for r in store.db.query(sql, [platform, since, *kinds])]


def _marks(values: Sequence[str]) -> str:
    """One SQL parameter mark per value."""
    return ", ".join("?" for _ in values)
