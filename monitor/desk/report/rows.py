"""The report's rows and summary: flagged findings from the store, filtered by time and status."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from monitor.desk import cases, enforcing, review
from monitor.store import Store

# posted_at: the post's own time from its platform (empty when it gave none); flagged_at: when the
# finding was made; created_at: flagged_at's older name, kept for readers of earlier exports.
COLUMNS = ("id", "posted_at", "flagged_at", "created_at", "kind", "label", "score", "platform",
           "url", "author_handle", "text", "detector", "evidence", "actions", "status")
SUMMARY_KEYS = ("kind", "platform", "status")
MAX_DAYS = 62  # a longer span is drawn by week so the chart keeps readable bars


@dataclass(frozen=True, slots=True)
class Query:
    """Which flagged items a report covers: posted (else flagged) since a time, with one of some
    statuses."""

    since: str | None = None
    statuses: tuple[str, ...] = ()

    def window(self) -> str:
        """The start of the precision window: --since, else the default week."""
        return self.since or review.parse_since(review.DEFAULT_WINDOW)


@dataclass(frozen=True, slots=True)
class Report:
    """Everything every format shows: rows, counts, flags over time, precision per detector."""

    query: Query
    rows: list[dict[str, Any]]
    summary: dict[str, Counter[str]]
    timeline: list[tuple[str, Counter[str]]]
    precision: list[review.Precision]
    generated_at: str
    # finding id -> held actions on its post (approve buttons)
    held: dict[int, list[tuple[int, str]]]
    # takedown cases not closed yet (desk.cases.open_rows), whatever the window: they are still up
    cases: list[dict[str, Any]] = field(default_factory=list)
    # the median time from first seen to down over the cases taken down, as words; None: none yet
    time_to_takedown: str | None = None
    # finding id -> restrictions and bans on its post an admin may undo: (id, kind, status)
    undo: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)

    @property
    def weekly(self) -> bool:
        """Whether the timeline's buckets are weeks rather than days."""
        t = self.timeline
        if len(t) < 2:
            return False
        return date.fromisoformat(t[1][0]) - date.fromisoformat(t[0][0]) == timedelta(days=7)


def build(store: Store, query: Query | None = None, undo: bool = False) -> Report:
    """Read the store once and compute what the report shows; `undo` adds the restrictions and
    bans an admin may undo (the served page's Undo buttons)."""
    query = query or Query()
    raw = store.flagged(since=query.since, statuses=query.statuses)
    data = [{c: r.get(c) for c in COLUMNS} for r in raw]
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    held = {r["id"]: held_pairs(r["held_actions"]) for r in raw if r["held_actions"]}
    took = cases.time_to_takedown(store)
    liftable = enforcing.liftable(store) if undo else {}
    lifts = {r["id"]: found for r in raw if (found := liftable.get((r["platform"], r["post_id"])))}
    return Report(query, data, summary(data), timeline(data),
                  review.precision(store, query.window()), generated, held,
                  cases.open_rows(store), cases.format_span(took) if took is not None else None,
                  lifts)


def rows(store: Store, query: Query | None = None) -> list[dict[str, Any]]:
    """The report's rows, newest post first, with only the columns the report shows."""
    return build(store, query).rows


def held_pairs(value: str | None) -> list[tuple[int, str]]:
    """'12:reply,13:alert' from the store as [(12, 'reply'), (13, 'alert')]."""
    pairs = (part.split(":", 1) for part in (value or "").split(",") if part)
    return [(int(i), kind) for i, kind in pairs]


def summary(data: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """Counts by kind, platform and status."""
    return {key: Counter(str(r[key]) for r in data) for key in SUMMARY_KEYS}


def timeline(data: list[dict[str, Any]]) -> list[tuple[str, Counter[str]]]:
    """Flagged posts per day (per week for long spans) and kind, by the post's time (else the
    flag's), oldest first, gaps filled with zeros."""
    dated = [(_day(when), str(r["kind"])) for r in data if (when := review.item_time(r))]
    if not dated:
        return []
    days = sorted({day for day, _ in dated})
    weekly = (days[-1] - days[0]).days >= MAX_DAYS
    bucket = _week if weekly else (lambda d: d)
    counts: dict[date, Counter[str]] = {}
    for day, kind in dated:
        counts.setdefault(bucket(day), Counter())[kind] += 1
    step = timedelta(days=7 if weekly else 1)
    out, current = [], bucket(days[0])
    while current <= bucket(days[-1]):
        out.append((current.isoformat(), counts.get(current, Counter())))
        current += step
    return out


def _day(iso: str) -> date:
    """The UTC day of a stored ISO time."""
    moment = datetime.fromisoformat(iso)
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()


def _week(day: date) -> date:
    """The Monday of a day's week."""
    return day - timedelta(days=day.weekday())
