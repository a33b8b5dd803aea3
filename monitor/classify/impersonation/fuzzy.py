"""Edit distances for look-alike names: how many typos a name of a given length may carry."""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from rapidfuzz.distance import OSA

# Letters that pass for each other at a glance (tall strokes, round letters, humps, cups, bowls).
_LOOKS = ("ijlt1f", "oaec0", "nmrh", "uvw", "bdpqg")
# Letters that sound alike in a name read aloud (binanse, exoduz). Not y and i, nor c and k: other
# languages spell crypto so (cripto, krypto).
_SOUNDS = frozenset({frozenset("cs"), frozenset("sz")})
_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def max_edits(token: str) -> int:
    """Typos tolerated: none under 5 letters (too many real words), 1
    up to 8, 2 up to 11, else 3."""
    return 0 if len(token) < 5 else 1 if len(token) <= 8 else 2 if len(token) <= 11 else 3


@lru_cache(maxsize=4096)
def squeeze(text: str) -> str:
    """Collapse doubled letters: 'ookx' -> 'okx', a common typosquat of short names."""
    return "".join(c for i, c in enumerate(text) if i == 0 or c != text[i - 1])


def is_typo(text: str, token: str) -> bool:
    """A typosquat of a name under 9 letters (longer ones go by typos.typo_cost): doubled or dropped
    letters, a swap of neighbours. A single changed letter is left out unless it looks alike or sits
    next to the right key: real names such as metamusk or opensee sit one letter away."""
    if text == token or squeeze(text) == squeeze(token):
        return text != token
    edits = distance(text, token)
    same_length = len(text) == len(token)
    swapped = same_length and sorted(text) == sorted(token)
    return len(token) >= 5 and edits == 1 and (swapped or not same_length or _slip(text, token))


def _slip(text: str, token: str) -> bool:
    """One letter of a 6+ letter name swapped for a look-alike, a sound-alike or any key touching
    it, on the row above or below too (binancc, lrezor, ujiswap)."""
    diff = [(a, b) for a, b in zip(text, token) if a != b]
    return len(token) >= 6 and len(diff) == 1 and (similar(*diff[0]) or touching(*diff[0]))


@lru_cache(maxsize=1024)
def similar(a: str, b: str) -> bool:
    """True when two letters look alike, sound alike or sit next to each other on a QWERTY row."""
    if any(a in group and b in group for group in _LOOKS) or frozenset((a, b)) in _SOUNDS:
        return True
    return any(abs(row.find(a) - row.find(b)) == 1 for row in _KEYBOARD if a in row and b in row)


@lru_cache(maxsize=1024)
def touching(a: str, b: str) -> bool:
    """True when two keys touch on a QWERTY keyboard, on one row or across two (n and j)."""
    for upper, lower in pairwise(_KEYBOARD):
        for x, y in ((a, b), (b, a)):
            # A key touches the two keys above it: the one with its index and the next one.
            if x in lower and y in upper and upper.index(y) - lower.index(x) in (0, 1):
                return True
    return any(abs(row.find(a) - row.find(b)) == 1 for row in _KEYBOARD if a in row and b in row)


def distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit."""
    return OSA.distance(a, b)


def near_substring(token: str, text: str, limit: int) -> int | None:
    """Smallest edit distance of token to a same-initial window of text, if within limit.

    Typosquats keep the first letter (binatce, bllnance); anchoring on it keeps real words
    such as 'finance' from passing for 'binance'.
    """
    if token in text:
        return 0
    best: int | None = None
    for start in (i for i, c in enumerate(text) if c == token[0]) if limit else ():
        for size in range(len(token) - limit, len(token) + limit + 1):
            window = text[start : start + size]
            if (
                len(window) == size
                and (d := OSA.distance(token, window, score_cutoff=limit)) <= limit
            ):
                best = d if best is None else min(best, d)
    return best
