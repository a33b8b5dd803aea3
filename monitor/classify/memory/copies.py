"""Remembered scam texts and dismissed ones, found again in near-copies through MinHash LSH."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from datasketch import MinHashLSH

from monitor.classify.memory.shingles import (
    MIN_CONTENT_WORDS,
    NUM_PERM,
    content_words,
    minhash,
    normal_form,
)

THRESHOLD = 0.45  # Jaccard of 5-gram sets: chosen with bench/memory_threshold.py (README)
MAX_TEXTS = 100_000
# The LSH bands are cut below the threshold: a candidate just above it would otherwise be missed
# about half the time; candidates are then checked on their signatures.
LSH_SLACK = 0.15


@dataclass(frozen=True, slots=True)
class Match:
    """The remembered text a post copies: its key (memory row), its finding, the similarity."""

    key: int
    finding_id: int
    similarity: float


class _Bands:
    """LSH banding over MinHash signatures: texts sharing any band of rows are candidates.
    datasketch's MinHashLSH picks the bands; its tables keep a set per band and text (~5 KB a
    text), so the tables are kept here as plain dicts of keys (~1.5 KB)."""

    def __init__(self, threshold: float) -> None:
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.cuts = [(i * lsh.r, (i + 1) * lsh.r) for i in range(lsh.b)]
        self.tables: list[dict[int, int | list[int]]] = [{} for _ in self.cuts]

    def _hashes(self, signature: np.ndarray) -> list[int]:
        return [hash(signature[a:b].tobytes()) for a, b in self.cuts]

    def insert(self, key: int, signature: np.ndarray) -> None:
        for table, h in zip(self.tables, self._hashes(signature)):
            there = table.get(h)
            if isinstance(there, list):
                there.append(key)
            else:  # one key alone is kept as itself: most bands of most texts are their own
                table[h] = key if there is None else [there, key]

    def remove(self, key: int, signature: np.ndarray) -> None:
        for table, h in zip(self.tables, self._hashes(signature)):
            there = table.get(h)
            if there == key:
                del table[h]
            elif isinstance(there, list) and key in there:
                there.remove(key)
                if len(there) == 1:
                    table[h] = there[0]

    def query(self, signature: np.ndarray) -> set[int]:
        found: set[int] = set()
        for table, h in zip(self.tables, self._hashes(signature)):
            there = table.get(h)
            if isinstance(there, list):
                found.update(there)
            elif there is not None:
                found.add(there)
        return found


class _Side:
    """One LSH index and its signatures, oldest first, bounded in size. The signatures, findings
    and expiry times sit in numpy arrays by slot, not in an object per text: 100,000 objects make
    every full garbage collection of the daemon milliseconds longer."""

    def __init__(self, threshold: float, limit: int) -> None:
        self.lsh = _Bands(max(0.1, threshold - LSH_SLACK))
        self.limit = limit
        self.slots: OrderedDict[int, int] = OrderedDict()  # key -> slot, oldest first
        self.free: list[int] = []
        self.signatures = np.zeros((0, NUM_PERM), dtype=np.uint32)
        self.findings = np.zeros(0, dtype=np.int64)
        self.expires = np.zeros(0, dtype=np.float64)

    def __len__(self) -> int:
        return len(self.slots)

    def add(self, key: int, norm: str, finding_id: int, expires: float) -> None:
        if key in self.slots:
            return
        signature = minhash(norm).hashvalues
        slot = self.free.pop() if self.free else self._grow()
        self.signatures[slot] = signature
        self.findings[slot], self.expires[slot] = finding_id, expires
        self.slots[key] = slot
        self.lsh.insert(key, signature)
        while len(self.slots) > self.limit:  # the oldest go first
            self.drop(next(iter(self.slots)))

    def _grow(self) -> int:
        """A new slot at the end, the arrays doubled when full."""
        used = len(self.slots) + len(self.free)
        if used == len(self.findings):
            size = max(64, min(2 * used, self.limit + 1))
            self.signatures = np.resize(self.signatures, (size, NUM_PERM))
            self.findings = np.resize(self.findings, size)
            self.expires = np.resize(self.expires, size)
        return used

    def drop(self, key: int) -> None:
        if (slot := self.slots.pop(key, None)) is not None:
            self.lsh.remove(key, self.signatures[slot])
            self.free.append(slot)

    def prune(self, now: float) -> None:
        """Drop expired entries; rows come oldest first, so stop at the first one still good."""
        while self.slots:
            key, slot = next(iter(self.slots.items()))
            if self.expires[slot] > now:
                return
            self.drop(key)

    def best(self, signature: np.ndarray, threshold: float, now: float) -> Match | None:
        keys = [k for k in self.lsh.query(signature) if self.expires[self.slots[k]] > now]
        if not keys:
            return None
        # One comparison for every candidate: a wave's copies come back together, hundreds at once.
        slots = [self.slots[k] for k in keys]
        sims = np.count_nonzero(self.signatures[slots] == signature, axis=1) / len(signature)
        i = int(np.argmax(sims))
        if sims[i] < threshold:
            return None
        return Match(keys[i], int(self.findings[slots[i]]), round(float(sims[i]), 2))


class CopyIndex:
    """Scam texts (positive) and dismissed texts (negative); a post within the threshold of a scam
    text and of no dismissed one is a copy. Fed from another thread than the one reading: locked."""

    def __init__(self, threshold: float = THRESHOLD, limit: int = MAX_TEXTS) -> None:
        self.threshold = threshold
        self.scams = _Side(threshold, limit)
        self.dismissed = _Side(threshold, limit)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.scams) + len(self.dismissed)

    def add(self, key: int, text: str, finding_id: int, scam: bool, expires: float) -> bool:
        """Remember a text (already redacted); False when it says too little to remember."""
        norm = normal_form(text)
        if content_words(norm) < MIN_CONTENT_WORDS:
            return False
        with self._lock:
            (self.scams if scam else self.dismissed).add(key, norm, finding_id, expires)
        return True

    def prune(self, now: float) -> None:
        """Forget what has expired."""
        with self._lock:
            self.scams.prune(now)
            self.dismissed.prune(now)

    def copied(self, text: str, now: float) -> Match | None:
        """The remembered scam text this text copies, unless it copies a dismissed text too."""
        norm = normal_form(text)
        if content_words(norm) < MIN_CONTENT_WORDS or not len(self.scams):
            return None
        signature = minhash(norm).hashvalues
        with self._lock:
            match = self.scams.best(signature, self.threshold, now)
            if match is None or self.dismissed.best(signature, self.threshold, now):
                return None
        return match
