"""A typing-cost distance for typosquats: slips that look or sit alike
cost less than other edits."""

from __future__ import annotations

from functools import lru_cache

from monitor.classify.impersonation.fuzzy import max_edits, similar

# Costs of one edit. A doubled or dropped double letter and a look-alike or neighbouring key are the
# slips typosquatters pick because readers miss them; any other change is plain to see.
DOUBLE = 0.25
SWAP = 0.5
NEAR = 0.5
OTHER_SUB = 1.25
INDEL = 1.0


# From this length a name keeps 8+ of its letters in place after four slips, still enough to
# recognise it when the first letter stays, as typosquats keep it (measured on the dev half of
# the look-alike domains: +21 found, +2 legit hosts; without the first-letter rule 'samplewall'
# would pass for 'examplewallet').
_LONGEST = 12


def slip_budget(text: str, token: str) -> float:
    """Slip cost text may carry and still pass for the name: max_edits, one more for a 12+ letter
    name whose first letter text keeps or writes with a look-alike."""
    keeps_first = bool(text) and (text[0] == token[0] or similar(text[0], token[0]))
    return max_edits(token) + (len(token) >= _LONGEST and keeps_first)


def _sub(a: str, b: str) -> float:
    """Cost of reading letter a where b belongs: a letter no table folds (ƅ, ø)
    passes for one at a glance."""
    return 0.0 if a == b else NEAR if similar(a, b) or not a.isascii() else OTHER_SUB


def _indel(text: str, i: int) -> float:
    """Cost of an extra (or missing) text[i]: cheap when it doubles the letter beside it."""
    doubled = (i > 0 and text[i - 1] == text[i]) or (i + 1 < len(text) and text[i + 1] == text[i])
    return DOUBLE if doubled else INDEL


@lru_cache(maxsize=8192)
def typo_cost(text: str, token: str, prefix: bool = False) -> float:
    """Cheapest sum of slip costs turning token into text (a weighted optimal-string-alignment);
    prefix=True matches token against the best start of text, leaving the rest
    free (examplewalllet-claim)."""
    rows = [[0.0] * (len(token) + 1) for _ in range(len(text) + 1)]
    for j in range(1, len(token) + 1):
        rows[0][j] = rows[0][j - 1] + _indel(token, j - 1)
    for i in range(1, len(text) + 1):
        rows[i][0] = rows[i - 1][0] + _indel(text, i - 1)
        for j in range(1, len(token) + 1):
            best = min(
                rows[i - 1][j] + _indel(text, i - 1),
                rows[i][j - 1] + _indel(token, j - 1),
                rows[i - 1][j - 1] + _sub(text[i - 1], token[j - 1]),
            )
            if i > 1 and j > 1 and text[i - 1] == token[j - 2] and text[i - 2] == token[j - 1]:
                best = min(best, rows[i - 2][j - 2] + SWAP)
            rows[i][j] = best
    return min(row[-1] for row in rows) if prefix else rows[-1][-1]
