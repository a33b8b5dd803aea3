"""Waves: the same or a near-same text from many accounts, mostly new to a place, within minutes.

Each place's recent posts are kept with their MinHash signatures (the memory's shingles), bounded
in time and number, and grouped: a post within the memory's threshold of another joins its group
(single link: each copy reworded on its own is nearer some copies than others). A group with posts
from ACCOUNTS distinct authors inside MINUTES, most of them new to the place, is a wave: the post
that makes it one raises it, and its own finding
(label `wave`) lists the accounts, and the earlier posts of the wave are handed back (`earlier`)
to be flagged after the fact; each later post like them joins the wave. Every finding of a wave
carries the wave's name as fingerprint (models.wave_key of the post that raised it), so the policy
alerts once. Texts that say too little ('gm everyone', thanks, emoji) never form a wave.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.memory.copies import THRESHOLD
from monitor.classify.memory.shingles import (
    MIN_CONTENT_WORDS,
    NUM_PERM,
    content_words,
    minhash,
    normal_form,
)
from monitor.core.models import ARRIVALS, WAVE, Brand, Finding, Post, wave_key

ACCOUNTS = 5  # distinct authors that make a wave
MINUTES = 30.0  # ...within this many minutes
NEW_SHARE = 0.5  # ...of whom at least this share are new to the place
NEW_DAYS = 7.0  # new to a place: first seen there within this many days...
NEW_MESSAGES = 3  # ...or with fewer stored messages there than this
MAX_POSTS = 5000  # recent posts kept over every place (the oldest go first)
SCORE = 0.8
SHOWN = 10  # accounts an alert lists by handle


@dataclass(slots=True, eq=False)  # compared by identity: it holds an array
class _Seen:
    """One recent post of a place: its signature, time, newness and the wave it is in."""

    post: Post
    at: float
    new: bool
    signature: np.ndarray
    group: int = 0  # posts alike, directly or through others
    wave: str = ""
    findings: list[Finding] = field(default_factory=list)
    earlier: list[tuple[Post, Finding]] = field(default_factory=list)


class _Place:
    """One place's kept posts, oldest first, with their signatures, times and groups in arrays: a
    post is compared with all of them at once."""

    def __init__(self) -> None:
        self.posts: list[_Seen] = []
        self.start = 0  # the posts before it are forgotten
        self.signatures = np.zeros((16, NUM_PERM), dtype=np.uint32)
        self.ats = np.zeros(16, dtype=np.float64)
        self.groups = np.zeros(16, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.posts) - self.start

    def append(self, seen: _Seen) -> None:
        n = len(self.posts)
        if n == len(self.ats):
            self.signatures = np.resize(self.signatures, (2 * n, NUM_PERM))
            self.ats, self.groups = np.resize(self.ats, 2 * n), np.resize(self.groups, 2 * n)
        self.signatures[n], self.ats[n], self.groups[n] = seen.signature, seen.at, seen.group
        self.posts.append(seen)

    def popleft(self) -> _Seen:
        seen = self.posts[self.start]
        self.start += 1
        if self.start >= 64 and 2 * self.start >= len(self.posts):  # move the rest to the front
            n = len(self.posts) - self.start
            for array in (self.signatures, self.ats, self.groups):
                array[:n] = array[self.start:self.start + n]
            self.posts = self.posts[self.start:]
            self.start = 0
        return seen

    def alike(self, seen: _Seen, window: float, threshold: float) -> list[tuple[_Seen, float]]:
        """The posts within the window and the threshold of this one, with their similarity."""
        end = len(self.posts)
        near = np.abs(self.ats[self.start:end] - seen.at) <= window
        same = np.count_nonzero(self.signatures[self.start:end] == seen.signature, axis=1)
        sims = same / NUM_PERM
        return [(self.posts[self.start + i], float(sims[i]))
                for i in np.nonzero(near & (sims >= threshold))[0]]

    def regroup(self, groups: set[int], into: int) -> None:
        """The posts of these groups moved into one."""
        end = len(self.posts)
        for i in np.nonzero(np.isin(self.groups[self.start:end], list(groups)))[0]:
            self.groups[self.start + i] = into
            self.posts[self.start + i].group = into

    def members(self, group: int, at: float, window: float) -> list[_Seen]:
        """The posts of a group within the window of a time."""
        end = len(self.posts)
        mask = (self.groups[self.start:end] == group) & (
            np.abs(self.ats[self.start:end] - at) <= window)
        return [self.posts[self.start + i] for i in np.nonzero(mask)[0]]


class WaveDetector:
    """Posts in a wave (label `wave`). Stateful like the memory: what it saw in the last minutes;
    a daemon rebuilds it from the store at start (`load`)."""

    kind = "impersonation"
    name = "waves"

    def __init__(self, brand: Brand, accounts: int = ACCOUNTS, minutes: float = MINUTES,
                 new_share: float = NEW_SHARE, new_days: float = NEW_DAYS,
                 new_messages: int = NEW_MESSAGES, threshold: float = THRESHOLD,
                 max_posts: int = MAX_POSTS) -> None:
        self.accounts = accounts
        self.window = minutes * 60
        self.new_share = new_share
        self.new_seconds = new_days * 86400
        self.new_messages = new_messages
        self.threshold = threshold
        self.max_posts = max_posts
        self.loaded = False  # set once the runtime rebuilt it from the store
        self.pulled_at = float("-inf")  # when the runtime last read the dismissed waves
        self._dismissed: set[str] = set()
        self._places: dict[tuple[str, str], _Place] = {}
        self._seen: dict[tuple[str, str], _Seen] = {}
        self._order: deque[_Seen] = deque()  # every kept post, in the order seen
        self._now = float("-inf")
        self._groups = 0
        self._registry = BrandRegistry.from_brand(brand)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def check(self, post: Post) -> list[Finding]:
        """The post's wave finding, if it raises or joins one (the same answer when asked again)."""
        norm = self._watched(post)
        if norm is None:
            return []
        with self._lock:
            seen = self._seen.get(post.key) or self._enter(post, norm)
            return list(seen.findings)

    def earlier(self, post: Post) -> list[tuple[Post, Finding]]:
        """The earlier posts of the wave this post raised, each with its finding."""
        with self._lock:
            seen = self._seen.get(post.key)
            return list(seen.earlier) if seen else []

    def load(self, rows: Iterable[tuple[Post, float, bool, str]]) -> None:
        """Rebuild from stored posts, oldest first: (post, time, new to the place, wave name)."""
        with self._lock:
            for post, at, new, wave in rows:
                norm = self._watched(post)
                if norm is not None and post.key not in self._seen:
                    seen = _Seen(post, at, new, minhash(norm).hashvalues)
                    self._group(seen, [s for s, _ in self._alike(seen)])
                    seen.wave = wave
                    self._keep(seen)
            self.loaded = True

    def dismiss(self, names: Iterable[str]) -> None:
        """Waves a manager dismissed (by name): the posts that join them are not flagged."""
        with self._lock:
            self._dismissed.update(names)

    def _watched(self, post: Post) -> str | None:
        """The normal form of a post that may be part of a wave: said in a place (not a DM) by
        someone other than the brand and the place's staff, and saying enough; else None."""
        if post.channel == "dm" or post.text in ARRIVALS or post.by_staff:
            return None
        if self._registry.is_official(post.platform, post.author.handle):
            return None
        norm = normal_form(post.text)
        return norm if content_words(norm) >= MIN_CONTENT_WORDS else None

    def is_new(self, post: Post, at: float) -> bool:
        """Whether the author is new to the post's place: few messages there, or first seen there
        recently (unknown history counts as new)."""
        if post.posts_here is None or post.posts_here < self.new_messages:
            return True
        first = post.first_here
        return first is None or at - first.timestamp() < self.new_seconds

    def _enter(self, post: Post, norm: str) -> _Seen:
        """Keep the post and decide whether it raises or joins a wave."""
        at = post.created_at.timestamp() if post.created_at else time.time()
        seen = _Seen(post, at, self.is_new(post, at), minhash(norm).hashvalues)
        alike = self._alike(seen)
        members = self._group(seen, [s for s, _ in alike])
        if members:
            waves = [s.wave for s in members if s.wave]
            if waves:
                self._join(seen, waves[-1], members)
            else:
                self._raise(seen, members, min(sim for _, sim in alike))
        self._keep(seen)
        return seen

    def _alike(self, seen: _Seen) -> list[tuple[_Seen, float]]:
        """The place's posts within the window and the threshold of this one, with their
        similarities."""
        place = self._places.get((seen.post.platform, seen.post.place))
        return place.alike(seen, self.window, self.threshold) if place else []

    def _group(self, seen: _Seen, alike: list[_Seen]) -> list[_Seen]:
        """Put the post in the group of the posts it is like (merging theirs); the group's other
        posts within the window."""
        groups = {s.group for s in alike}
        if not groups:
            self._groups += 1
            seen.group = self._groups
            return []
        seen.group = min(groups)
        place = self._places[(seen.post.platform, seen.post.place)]
        if len(groups) > 1:
            place.regroup(groups, seen.group)
        return place.members(seen.group, seen.at, self.window)

    def _raise(self, seen: _Seen, alike: list[_Seen], similarity: float) -> None:
        """A wave when enough distinct authors, mostly new, wrote alike posts."""
        members = [*alike, seen]
        authors = {s.post.author.id: s for s in members}
        newcomers = sum(s.new for s in authors.values())
        if len(authors) < self.accounts or newcomers < self.new_share * len(authors):
            return
        name = wave_key(seen.post.platform, seen.post.id)
        span = (max(s.at for s in members) - min(s.at for s in members)) / 60
        handles = ", ".join(_handle(s.post.author.handle) for s in list(authors.values())[:SHOWN])
        more = f" and {len(authors) - SHOWN} more" if len(authors) > SHOWN else ""
        seen.wave = name
        seen.findings = [Finding(
            self.kind, WAVE, SCORE,
            f"{len(authors)} accounts, {newcomers} new to this place, wrote this text in "
            f"{span:.0f} min (similarity >= {similarity:.2f}): {handles}{more}",
            self.name, fingerprint=name)]
        for s in alike:
            s.wave = name
            s.earlier = []
            s.findings = [self._member(name, seen.post.id, len(authors))]
            seen.earlier.append((s.post, s.findings[0]))

    def _join(self, seen: _Seen, name: str, members: list[_Seen]) -> None:
        """A later post in a wave raised before (not flagged if the wave was dismissed)."""
        authors = {s.post.author.id for s in members} | {seen.post.author.id}
        seen.wave = name
        if name in self._dismissed:
            return
        seen.findings = [self._member(name, name.rsplit(":", 1)[-1], len(authors))]

    def _member(self, name: str, raised_by: str, accounts: int) -> Finding:
        return Finding(self.kind, WAVE, SCORE,
                       f"part of the wave raised by post {raised_by} ({accounts} accounts so far)",
                       self.name, fingerprint=name)

    def _keep(self, seen: _Seen) -> None:
        """Remember a post; forget the oldest past the window or the size bound."""
        self._places.setdefault((seen.post.platform, seen.post.place), _Place()).append(seen)
        self._seen[seen.post.key] = seen
        self._order.append(seen)
        self._now = max(self._now, seen.at)
        while self._order and (len(self._order) > self.max_posts
                               or self._order[0].at < self._now - 2 * self.window):
            self._forget(self._order.popleft())

    def _forget(self, seen: _Seen) -> None:
        where = (seen.post.platform, seen.post.place)
        place = self._places[where]
        place.popleft()  # the oldest of its place too
        if not place:
            del self._places[where]
        self._seen.pop(seen.post.key, None)


def _handle(handle: str) -> str:
    """A handle fit to list: no spaces, bounded, and no dot that makes it a link."""
    return "@" + "".join(handle.split()).lstrip("@")[:40].replace(".", "[.]")
