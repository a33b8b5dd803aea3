"""The memory detector: flags a post copying a confirmed scam, or by or naming a known scammer."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.memory.actors import ActorIndex, Hit, Identifier, author_identifiers, contacts
from monitor.classify.memory.copies import MAX_TEXTS, THRESHOLD, CopyIndex
from monitor.core.models import Brand, Finding, Post

DAYS = 90.0
REFRESH_SECONDS = 5.0
SCORE = 0.9  # a manager's own decision stands behind every match
_WHAT = {"account": "the account", "handle": "the handle", "name": "the display name",
         "phone": "the phone number", "wallet": "the wallet", "host": "the site"}


@dataclass(frozen=True, slots=True)
class Remembered:
    """One memory row as plain data: a text (redacted) or an identifier, from a finding a manager
    confirmed or flagged (scam) or dismissed (not scam), at created (epoch seconds)."""

    id: int
    finding_id: int
    scam: bool
    created: float
    text: str = ""
    identifier: Identifier | None = None


class MemoryDetector:
    """Near-copies of remembered scam texts (label known_scam_copy) and posts by or naming a known
    scammer (known_actor). Empty when built: the runtime feeds it the store's rows (load)."""

    kind = "impersonation"
    name = "memory"

    def __init__(self, brand: Brand, threshold: float = THRESHOLD, days: float = DAYS,
                 max_texts: int = MAX_TEXTS, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.copies = CopyIndex(threshold, max_texts)
        self.actors = ActorIndex(brand)
        self.ttl = days * 86400
        self.refresh_seconds = refresh_seconds
        # How far the feed has read (row ids) and when it last did, kept here so that a pipeline a
        # reload builds, with a detector of its own, is filled from the start again.
        self.read_texts = 0
        self.read_actors = 0
        self.pulled_at = float("-inf")
        self.pruned_at = float("-inf")  # when the feed last deleted expired rows from the store
        self._registry = BrandRegistry.from_brand(brand)

    def load_texts(self, rows: Iterable[Remembered], now: float | None = None) -> None:
        """Remember texts (rows in id order); expired rows are passed over."""
        now = time.time() if now is None else now
        for row in rows:
            self.read_texts = max(self.read_texts, row.id)
            if row.created + self.ttl > now:
                self.copies.add(row.id, row.text, row.finding_id, row.scam, row.created + self.ttl)

    def load_actors(self, rows: Iterable[Remembered], now: float | None = None) -> None:
        """Know (or, from a dismissed finding, forget) identifiers; expired rows are passed over."""
        now = time.time() if now is None else now
        for row in rows:
            self.read_actors = max(self.read_actors, row.id)
            if row.identifier is None or row.created + self.ttl <= now:
                continue
            if row.scam:
                self.actors.add(row.identifier, row.finding_id, row.created + self.ttl)
            else:
                self.actors.clear(row.identifier)

    def prune(self, now: float | None = None) -> None:
        """Forget what has expired."""
        now = time.time() if now is None else now
        self.copies.prune(now)
        self.actors.prune(now)

    def check(self, post: Post) -> list[Finding]:
        """A known_scam_copy and/or a known_actor finding; none for the brand's own people."""
        if post.by_staff or self._registry.is_official(post.platform, post.author.handle):
            return []
        if not len(self.copies) and not len(self.actors):
            return []  # nothing remembered yet (and `monitor scan` never feeds it)
        now = time.time()
        found = []
        if match := self.copies.copied(post.text, now):
            found.append(Finding(self.kind, "known_scam_copy", SCORE,
                                 f"copies the scam text of confirmed finding #{match.finding_id} "
                                 f"(similarity {match.similarity:.2f})", self.name))
        a = post.author
        hits = self.actors.find(author_identifiers(post.platform, a.id, a.handle, a.name),
                                contacts(post.text), now)
        if hits:
            found.append(Finding(self.kind, "known_actor", SCORE, _actor_evidence(hits), self.name))
        return found


def _actor_evidence(hits: list[Hit]) -> str:
    """'posted with the account of confirmed scam finding #12; names the wallet 0x… of …'."""
    parts = []
    for hit in hits[:3]:
        what = f"{_WHAT[hit.identifier.kind]} {hit.identifier.value}"
        if hit.identifier.kind == "account":
            what = _WHAT["account"]
        verb = "posted with" if hit.own else "names"
        parts.append(f"{verb} {what} of confirmed scam finding #{hit.finding_id}")
    return "; ".join(parts)
