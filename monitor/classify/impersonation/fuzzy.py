"""Edit distances for look-alike names: how many typos a name of a given length may carry."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA


def max_edits(token: str) -> int:
    """Typos tolerated: none under 5 letters (too many real words), 1 up to 8, else 2."""
    return 0 if len(token) < 5 else 1 if len(token) <= 8 else 2


@lru_cache(maxsize=4096)
def squeeze(text: str) -> str:
    """Collapse doubled letters: 'ookx' -> 'okx', a common typosquat of short names."""
    return "".join(c for i, c in enumerate(text) if i == 0 or c != text[i - 1])


def is_typo(text: str, token: str) -> bool:
    """A typosquat of token: doubled or dropped letters, a swap of neighbours, or (for names of 9+
    letters) up to two edits. A single changed letter in a short name is left out: real names
    such as metamusk or opensee sit one letter away."""
    if text == token or squeeze(text) == squeeze(token):
        return text != token
    edits = distance(text, token)
    if len(token) >= 9:
        return edits <= max_edits(token)
    same_length = len(text) == len(token)
    swapped = same_length and sorted(text) == sorted(token)
    return len(token) >= 5 and edits == 1 and (swapped or not same_length)


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
            if len(window) == size and (d := OSA.distance(token, window, score_cutoff=limit)) <= limit:
                best = d if best is None else min(best, d)
    return best
