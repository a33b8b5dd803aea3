"""The daily digest: the last day's findings, precision, open takedown cases, the oldest wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.core.models import FINDING_KINDS
from monitor.desk.cases import format_span, open_rows
from monitor.desk.review import precision
from monitor.store import Store
from monitor.store.alert_rows import finding_counts, oldest_unreviewed

PRECISION_DAYS = 7  # a day's decisions are too few to say much; a week's are steadier
CASES_SHOWN = 5


def build(store: Store, now: datetime | None = None) -> str:
    """The digest as plain text (no post text: nothing a reader could not see in the report)."""
    now = now or datetime.now(UTC)
    parts = [
        f"support-monitor daily digest, {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        _counts(store, now),
        _precision(store, now),
        _cases(store, now),
        _oldest(store, now),
    ]
    return "\n\n".join(parts)


def _counts(store: Store, now: datetime) -> str:
    """Findings flagged in the last 24 hours, per kind."""
    counts = finding_counts(store, _iso(now - timedelta(days=1)))
    lines = [f"- {kind}: {counts.get(kind, 0)}" for kind in FINDING_KINDS]
    return "\n".join([f"Findings in the last 24 h: {sum(counts.values())}", *lines])


def _precision(store: Store, now: datetime) -> str:
    """confirmed / (confirmed + false_positive) per kind, over the last week's decisions."""
    per_kind: dict[str, list[int]] = {}
    for p in precision(store, _iso(now - timedelta(days=PRECISION_DAYS))):
        pair = per_kind.setdefault(p.kind, [0, 0])
        pair[0] += p.confirmed
        pair[1] += p.dismissed
    lines = [f"- {kind}: {_ratio(*per_kind.get(kind, [0, 0]))}" for kind in FINDING_KINDS]
    return "\n".join([f"Precision (decisions of the last {PRECISION_DAYS} days):", *lines])


def _ratio(confirmed: int, dismissed: int) -> str:
    """'0.93 (42 confirmed, 3 dismissed)', or 'n/a' without decisions."""
    total = confirmed + dismissed
    if not total:
        return "n/a (no decisions)"
    return f"{confirmed / total:.2f} ({confirmed} confirmed, {dismissed} dismissed)"


def _cases(store: Store, now: datetime) -> str:
    """The open takedown cases: how many, and the oldest few with their age."""
    rows = open_rows(store, now)
    lines = [f"- case #{r['id']} {r['kind']} {r['subject']} ({r['status']}, {r['age']})"
             for r in sorted(rows, key=lambda r: -r["age_seconds"])[:CASES_SHOWN]]
    more = [f"- and {len(rows) - CASES_SHOWN} more"] if len(rows) > CASES_SHOWN else []
    return "\n".join([f"Open takedown cases: {len(rows)}", *lines, *more])


def _oldest(store: Store, now: datetime) -> str:
    """The finding that has waited longest for a decision, and for how long."""
    row = oldest_unreviewed(store)
    if row is None:
        return "Oldest unreviewed item: none, the queue is empty"
    waited = max(now - _time(row["created_at"]), timedelta(0))
    return (f"Oldest unreviewed item: finding #{row['id']} ({row['kind']}: {row['label']}) "
            f"on {row['platform']}, waiting {format_span(waited)}")


def _iso(moment: datetime) -> str:
    """A time in the store's form."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _time(iso: str) -> datetime:
    """A stored time as an aware datetime (naive ones are UTC)."""
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
