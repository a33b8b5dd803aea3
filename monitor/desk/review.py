"""The review queue: list, show, decide, approve held actions, precision per detector, export."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.core.models import FINDING_KINDS, Author, Brand, Finding, Post, reason_kind
from monitor.desk import cases
from monitor.store import FINDING_STATUSES, Store

# The verbs managers use, and the finding status each one sets.
DECISIONS = {"confirm": "confirmed", "dismiss": "false_positive", "resolve": "resolved"}
# Decisions that put a finding's post into the campaign memory: as a scam, or as not one.
MEMORY = {"confirmed": True, "resolved": True, "false_positive": False}
REMEMBERED_KIND = "impersonation"
FLAG_LABEL = "manager_flag"
# The verbs that uphold a finding (precision counts both): for an impersonation, with the brand,
# they open the takedown cases of what it names (Telegram has /resolve, no confirm).
UPHOLD = ("confirm", "resolve")
DEFAULT_WINDOW = "7d"
MAX_WHO = 64
_AGO = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
LIST_HEADER = (f"{'ID':>6}  {'POSTED (UTC)':<16}  {'KIND/LABEL':<34} {'SCORE':>5}  {'PLATFORM':<8} "
               f"{'AUTHOR':<18} {'STATUS':<14} TEXT")


class ReviewError(ValueError):
    """A queue operation that cannot be done; the message says why."""


@dataclass(frozen=True, slots=True)
class Precision:
    """Review decisions on one detector's findings of one kind within a window."""

    detector: str
    kind: str
    confirmed: int
    dismissed: int

    @property
    def name(self) -> str:
        """The kind, with the detector when it is named differently."""
        return self.kind if self.detector == self.kind else f"{self.kind} ({self.detector})"

    @property
    def precision(self) -> float | None:
        """confirmed / (confirmed + dismissed), or None when nothing was reviewed."""
        total = self.confirmed + self.dismissed
        return self.confirmed / total if total else None


def parse_since(text: str, now: datetime | None = None) -> str:
    """'7d', '24h', '30m', '2w', a date or an ISO time, as the store's UTC ISO form."""
    value = text.strip()
    match = _AGO.match(value.lower())
    if match:
        delta = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        moment = (now or datetime.now(UTC)) - delta
    else:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ReviewError(f"--since {text!r}: use a span like 7d, 24h, 30m, 2w or a date "
                              "like 2026-11-01") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_statuses(text: str) -> tuple[str, ...]:
    """A comma-separated list of finding statuses, each checked."""
    statuses = tuple(s.strip() for s in text.split(",") if s.strip())
    for status in statuses:
        if status not in FINDING_STATUSES:
            raise ReviewError(
                f"--status {status!r}: use one or more of {', '.join(FINDING_STATUSES)}")
    return statuses


def queue(store: Store, statuses: Sequence[str] = ("new",), kind: str | None = None,
          since: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Findings waiting for (or past) review, newest first."""
    rows = store.flagged(since=since, statuses=statuses)
    if kind:
        rows = [r for r in rows if r["kind"] == kind]
    return rows[:limit] if limit > 0 else rows


def show(store: Store, finding_id: int) -> dict[str, Any]:
    """One finding with its post, the actions on the post and the decisions taken so far."""
    found = store.flagged(finding_id=finding_id)
    if not found:
        raise ReviewError(f"no finding with id {finding_id}")
    row = found[0]
    return {**row, "action_rows": store.post_actions(row["platform"], row["post_id"]),
            "reviews": store.reviews_of(finding_id)}


def decide(store: Store, finding_id: int, verb: str, who: str, note: str = "",
           brand: Brand | None = None) -> dict[str, Any]:
    """Confirm, dismiss or resolve a finding; dismissing skips the held actions it alone caused.
    With the brand, upholding an impersonation opens (or joins) the takedown cases of the
    phishing hosts and impostor accounts it names; the answer's "cases" lists what was done."""
    if verb not in DECISIONS:
        raise ReviewError(f"unknown decision {verb!r}; use one of {', '.join(DECISIONS)}")
    who = check_who(who)
    row = show(store, finding_id)
    with store.db.atomic():
        store.review(finding_id, DECISIONS[verb], who, note)
        if verb == "dismiss":
            _skip_orphaned_holds(store, row, who)
        remember(store, row, DECISIONS[verb])
        opened = cases.open_for_finding(store, row, brand, who) if verb in UPHOLD and brand else []
    return {**show(store, finding_id), "cases": [line for _, line in opened]}


def flag(store: Store, target: str, kind: str, who: str, label: str = "",
         note: str = "", brand: Brand | None = None) -> dict[str, Any]:
    """A stored post the detectors passed becomes a finding confirmed at once (PLATFORM:POST_ID),
    as a confirmation would: an impersonation goes into the campaign memory and, with the brand,
    opens the takedown cases of what it names (the answer's "cases"). A secret in the note is
    redacted before it is stored."""
    who = check_who(who)
    platform, _, post_id = target.partition(":")
    post = store.post(platform, post_id) if post_id else None
    if post is None:
        raise ReviewError(f"no stored post {target!r} (give PLATFORM:POST_ID, e.g. telegram:1234)")
    if kind not in FINDING_KINDS:
        raise ReviewError(f"--kind {kind!r}: use one of {', '.join(FINDING_KINDS)}")
    label = _redacted((label or FLAG_LABEL).strip())
    if not label or len(label) > MAX_WHO or not label.isprintable():
        raise ReviewError(f"--label must be 1-{MAX_WHO} printable characters")
    standing = [f for f in store.post_findings(platform, post_id)
                if f["kind"] == kind and f["status"] != "false_positive"]
    if standing:
        raise ReviewError(f"post {target} already has {kind} finding #{standing[0]['id']}: "
                          "confirm that one")
    with store.db.atomic():
        author = Author(platform, post["author_id"] or "", post["author_handle"] or "")
        finding = Finding(kind, label, 1.0, f"flagged by {who}", "manager")
        finding_id = store.add_findings(Post(platform, post_id, author, ""), [finding])[0]
        store.audit(who, "flag", {"finding_id": finding_id, "platform": platform,
                                  "post_id": post_id, "kind": kind, "label": label})
        store.review(finding_id, "confirmed", who, _redacted(note))
        row = show(store, finding_id)
        remember(store, row, "confirmed")
        opened = cases.open_for_finding(store, row, brand, who) if brand else []
    return {**show(store, finding_id), "cases": [line for _, line in opened]}


def _redacted(text: str) -> str:
    """A manager's free text with any secret in it replaced by its placeholder."""
    if not text:
        return text
    from monitor.classify import find_secrets, redact  # the finders load on first use

    return redact(text, find_secrets(text))


def remember(store: Store, row: dict[str, Any], status: str) -> None:
    """A reviewed impersonation finding's post into the campaign memory: its stored (redacted) text
    unless it says too little, the author's identifiers and the contacts it names."""
    if row["kind"] != REMEMBERED_KIND or status not in MEMORY:
        return
    text = row["text"] or ""
    from monitor.classify import identifiers, informative  # numpy, datasketch: on first use

    found = identifiers(row["platform"], row["author_id"] or "", row["author_handle"] or "",
                        row["author_name"] or "", text)
    store.remember(row["id"], MEMORY[status], text if informative(text) else None,
                   [(i.kind, i.value) for i in found], (row["platform"], row["post_id"]))


def _skip_orphaned_holds(store: Store, row: dict[str, Any], who: str) -> None:
    """Held actions of the dismissed kind are skipped once no finding of that kind stands."""
    findings = store.post_findings(row["platform"], row["post_id"])
    if any(f["kind"] == row["kind"] and f["status"] != "false_positive" for f in findings):
        return  # another finding of the same kind still justifies the action
    for action in row["action_rows"]:
        ours = action["status"] == "held" and reason_kind(action["reason"]) == row["kind"]
        if ours and store.move_action(action["id"], "held", "skipped"):
            store.audit(who, "action:skip", {"action_id": action["id"], "finding_id": row["id"]})


def approve(store: Store, action_id: int, who: str) -> dict[str, Any]:
    """Release a held action: it becomes planned, so the daemon's sender sends it once."""
    who = check_who(who)
    rows = list(store.db.table("actions").rows_where("id = ?", [action_id]))
    if not rows:
        raise ReviewError(f"no action with id {action_id}")
    with store.db.atomic():
        if not store.move_action(action_id, "held", "planned"):
            raise ReviewError(
                f"action {action_id} is {rows[0]['status']}, not held; nothing to approve")
        store.audit(who, f"approve:{rows[0]['kind']}", {"action_id": action_id})
    return dict(store.db.table("actions").get(action_id))


def check_who(who: str) -> str:
    """The reviewer's name: non-empty, short, printable."""
    who = (who or "").strip()
    if not who or len(who) > MAX_WHO or not who.isprintable():
        raise ReviewError(f"reviewer name must be 1-{MAX_WHO} printable characters (use --who)")
    return who


def precision(store: Store, since: str) -> list[Precision]:
    """Per detector and kind: findings confirmed or resolved vs dismissed, by latest decision."""
    counts: dict[tuple[str, str], list[int]] = {}
    for r in store.decision_counts(since):
        pair = counts.setdefault((r["detector"], r["kind"]), [0, 0])
        if r["decision"] in ("confirmed", "resolved"):  # resolving acts on a real finding
            pair[0] += r["n"]
        elif r["decision"] == "false_positive":
            pair[1] += r["n"]
    return [Precision(d, k, c, f)
            for (d, k), (c, f) in sorted(counts.items(), key=lambda i: i[0][::-1])]


def format_precision(p: Precision) -> str:
    """'impersonation (impersonation): 42 confirmed, 3 dismissed, precision 0.93'."""
    value = "n/a" if p.precision is None else f"{p.precision:.2f}"
    return f"{p.name}: {p.confirmed} confirmed, {p.dismissed} dismissed, precision {value}"


def export_dismissed(store: Store, since: str | None = None) -> Iterator[dict[str, Any]]:
    """Each post with a dismissed finding as a labelled Post JSON object for `monitor eval`."""
    seen: set[tuple[str, str]] = set()
    for row in store.flagged(since=since, statuses=("false_positive",)):
        key = (row["platform"], row["post_id"])
        if key not in seen:
            seen.add(key)
            yield _labelled(row, store.post_findings(*key))


def _labelled(row: dict[str, Any], findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The Post JSON form of a reviewed post; `expected` holds the findings managers upheld."""
    upheld = [{"kind": f["kind"], "label": f["label"]} for f in findings
              if f["status"] in ("confirmed", "resolved")]
    dismissed = [{"kind": f["kind"], "label": f["label"], "detector": f["detector"],
                  "score": f["score"]} for f in findings if f["status"] == "false_positive"]
    return {"id": row["post_id"], "platform": row["platform"], "channel": row["channel"],
            "text": row["text"], "created_at": row["posted_at"], "url": row["url"] or "",
            "author": {"id": row["author_id"], "handle": row["author_handle"],
                       "name": row["author_name"] or ""},
            "expected": upheld, "dismissed": dismissed}


def plain(text: str | None, width: int = 0) -> str:
    """Text safe for a terminal: control and format characters (escape sequences) replaced."""
    out = "".join(" " if ch in "\n\r\t" else "?" if _hidden(ch) else ch for ch in (text or ""))
    return out[: width - 1] + "…" if width and len(out) > width else out


def _hidden(ch: str) -> bool:
    """Control and format characters (escapes, bidi overrides); the emoji joiner stays."""
    return ch != "\u200d" and unicodedata.category(ch) in ("Cc", "Cf")



def item_time(row: dict[str, Any]) -> str:
    """When a flagged item happened: its post's own time, else (none given) when it was flagged."""
    return str(row.get("posted_at") or row.get("created_at") or "")


def format_line(row: dict[str, Any]) -> str:
    """One queue row on one terminal line."""
    when = item_time(row)[:16].replace("T", " ")
    what = plain(f"{row['kind']}/{row['label']}", 34)
    return (f"{row['id']:>6}  {when:<16}  {what:<34} {row['score']:>5.2f}  {row['platform']:<8} "
            f"{plain('@' + (row['author_handle'] or ''), 18):<18} {row['status']:<14} "
            f"{plain(row['text'], 60)}")


def format_detail(detail: dict[str, Any]) -> list[str]:
    """A finding, its post, its actions and its decisions as terminal lines."""
    d = detail
    lines = [
        f"finding {d['id']}: {d['kind']}/{plain(d['label'])} score {d['score']:.2f}, {d['status']}",
        f"flagged   {d['created_at']} by detector {plain(d['detector'])}",
        (f"post      {d['platform']} {plain(d['post_id'])} ({d['channel']}) by "
         f"@{plain(d['author_handle'])} {plain(d['url'] or '')}"),
        f"posted    {d['posted_at'] or 'no time from the platform'}",
        f"text      {plain(d['text'])}",
        f"signals   {plain(d['evidence'])}",
    ]
    for a in d["action_rows"]:
        result = f" ({plain(a['result'])})" if a["result"] else ""
        lines.append(f"action    #{a['id']} {a['kind']} {a['status']}{result}")
    for r in d["reviews"]:
        note = f": {plain(r['note'])}" if r["note"] else ""
        lines.append(f"decision  {r['at']} {r['decision']} by {plain(r['who'])}{note}")
    return lines
