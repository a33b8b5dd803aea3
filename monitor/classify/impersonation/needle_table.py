"""The content rules' needles as derived at development time, shipped in data/derived/: a fresh
process reads them instead of parsing every rule's regex (~30 ms). A regex the file does not hold
(a rule edited since) has its needles derived, as before the file existed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from monitor.classify import derived
from monitor.classify.impersonation.needles import derive, search

FILE = "needles.pickle"

# A regex as re.compile takes it: its text and flags.
Key = tuple[str, int]
# Needles, sorted, so the file's bytes do not depend on the order of a set; None: there are none.
Needles = tuple[str, ...] | None


def table(patterns: Iterable[str]) -> dict[Key, Needles]:
    """What the file holds for these regexes (compiled without flags): their needles, derived."""
    return {(pattern, 0): _sorted(derive(pattern)) for pattern in patterns}


def gate(pattern: str) -> re.Pattern[str] | None:
    """needles.gate() of re.compile(pattern), its needles read from the file when it holds them."""
    shipped, key = _shipped(), (pattern, 0)
    return search(shipped[key] if key in shipped else derive(pattern))


@cache
def _shipped() -> dict[Key, Needles]:
    """The file's table, read once; empty when there is no readable file."""
    shipped = derived.load(FILE)
    return shipped if isinstance(shipped, dict) else {}


def _sorted(found: frozenset[str] | None) -> Needles:
    """Needles as the file keeps them."""
    return None if found is None else tuple(sorted(found))
