"""A brand's name misspelled inside a host label among other words (opnsea-mint, legderhealth)."""

from __future__ import annotations

from functools import cache, lru_cache

from rapidfuzz.distance import OSA

from monitor.classify.impersonation.fuzzy import max_edits, similar, squeeze
from monitor.classify.impersonation.skeleton import skeleton
from monitor.classify.impersonation.typos import typo_cost
from monitor.classify.impersonation.wordlists import common_words

# Shorter names are read only whole or with look-alike letters (domains.py): a five-letter window
# one slip away from a name is most often another word.
MIN_NAME = 6
# Letters of no word a typo may carry after the name (metamesks, coinsbasess).
_EXTRA = 2
# Known words longer than this are not looked up inside a label (labels hold at most 63 letters).
_LONGEST_WORD = 20
_DIGITS = "0123456789"


@lru_cache(maxsize=8192)  # each of a label's skeleton variants asks again; bounded for a daemon
def misspelled_in(label: str, token: str) -> str | None:
    """The piece of a label (between hyphens) that misspells the name, as written, or None. token is
    the name's skeleton."""
    if len(token) < MIN_NAME or len(label) > 63:
        return None
    for piece in _pieces(label):
        readings = dict.fromkeys((skeleton(piece), skeleton(piece, pairs=False)))
        if any(_scan(skel, token) for skel in readings):
            return piece
    return None


def _pieces(label: str) -> list[str]:
    """The hyphen-separated pieces of a label, digits at their ends dropped (opnsea21), then the
    whole label: a hyphen ends a word, so each piece is read on its own."""
    parts = [p.strip(_DIGITS) for p in label.split("-")]
    return [p for p in parts if p] + ([label] if len(parts) > 1 else [])


def _scan(skel: str, token: str) -> bool:
    """True when a window of a piece's skeleton misspells the name and the guards let it pass."""
    if not _not_all_words(skel, token):
        return False
    size = len(token)
    for i, char in enumerate(skel):
        # Typosquats keep the name's first letter, or a letter that passes for it.
        if char != token[0] and not similar(char, token[0]):
            continue
        for end in range(i + size - 1, min(len(skel), i + size + 1) + 1):
            if _slipped(skel[i:end], token) and _stands_alone(skel, i, end, token):
                return True
    return False


def _slipped(window: str, token: str) -> bool:
    """A window a few cheap slips from the name: at most one edit (doubled letters aside) under 9
    letters, more for longer names, within the typing-slip budget."""
    if window == token:
        return False  # the name itself: domains.py reads that
    edits = 1 if len(token) < 9 else max_edits(token)
    # Doubled letters aside (trezzorr is one edit from trezor); a drop may make a double (eectrum).
    pairs = ((window, token), (squeeze(window), squeeze(token)))
    if min(OSA.distance(a, b, score_cutoff=edits + 1) for a, b in pairs) > edits:
        return False
    return typo_cost(window, token) <= max_edits(token)


def _stands_alone(skel: str, i: int, end: int, token: str) -> bool:
    """The window is no part of another word, and what is around it is words, digits or a plural."""
    window, right = skel[i:end], skel[end:]
    if _covered(skel, i, end, token) or _changes_head(window, token):
        return False
    if _segments(skel[:i]) is None:
        return False  # letters of no word before it: another word ends there (sunswap, obitnance)
    if not right or _segments(right) is not None:
        return True
    return _extra(window, right, token) and not _spans(skel, i, end, token)


def _extra(window: str, right: str, token: str) -> bool:
    """A few letters of no word after the name: the window keeps all its letters, the last in
    place, and carries no changed letter, unless the extra is a plural 's' (metomasks). A dropped
    letter and one more after it are a changed ending (opensat is no 'opensea')."""
    changed = len(window) == len(token) and sorted(window) != sorted(token)
    kept = len(window) >= len(token) and window[-1] == token[-1]
    return len(right) <= _EXTRA and kept and (not changed or right == "s")


def _covered(skel: str, i: int, end: int, token: str) -> bool:
    """A known word other than the name holds the window (challenger, knowledge), or all of it but
    one letter while running on past it (sledgehammer): the letters are that word's. A word inside
    the window (opens in opensa) does not count."""
    for start in range(max(0, i - _LONGEST_WORD), i + 2):
        for stop in range(max(start + 1, end - 1), min(len(skel), start + _LONGEST_WORD) + 1):
            whole = start <= i and stop >= end
            past = (start < i or stop > end) and min(stop, end) - max(start, i) >= end - i - 1
            if (whole or past) and (word := skel[start:stop]) != token and word in _words():
                return True
    return False


def _spans(skel: str, i: int, end: int, token: str) -> bool:
    """A known word starts inside the window and runs past it (opensteak, openteam): the letters
    after the name belong to it. The name's own last part made plural (coinsbases) is none."""
    for start in range(i + 1, end):
        for stop in range(end + 1, min(len(skel), start + _LONGEST_WORD) + 1):
            word = skel[start:stop]
            own_plural = word.endswith("s") and token.endswith(word[:-1])
            if word in _words() and not own_plural:
                return True
    return False


def _changes_head(window: str, token: str) -> bool:
    """The window changes only the short head of a name whose rest is a word: kycoin is no 'kucoin'
    typo, but another coin; mocrypto no 'mycrypto' one."""
    if len(window) != len(token):
        return False
    return any(window[p:] == token[p:] and token[p:] in _words() for p in range(1, 4))


def made_of_words(text: str) -> bool:
    """True when a text (as written) reads as a run of known words, plurals and numbers."""
    return _segments(skeleton(text)) is not None


def _not_all_words(skel: str, token: str) -> bool:
    """False for a piece made only of known words (openteam, metatask), unless they are the
    name's own words made plural (coinsbase, metasmasks). Names count as words: mycoiinbase reads
    my-colin-base, so a slip that spells words is missed here; a label that is the slip alone is
    still read as a typo of the whole label (domains.py)."""
    split = _segments(skel)
    if split is None:
        return True
    own = _segments(token) or (token,)
    return "".join(w.rstrip("s") for w in split) == "".join(w.rstrip("s") for w in own)


@lru_cache(maxsize=16384)  # bounded: a daemon reads labels without end
def _segments(text: str) -> tuple[str, ...] | None:
    """A text read as a run of known words, plurals and numbers, longest word first; else None."""
    if not text:
        return ()
    for end in range(min(len(text), _LONGEST_WORD), 0, -1):
        head = text[:end]
        known = head in _words() or head.isdigit() or (head[-1] == "s" and head[:-1] in _words())
        if known and (rest := _segments(text[end:])) is not None:
            return (head,) + rest
    return None


@cache
def _words() -> frozenset[str]:
    """Known words as skeletons, like the labels they are compared with ('coin' reads 'coln'), with
    letter pairs read as one (claim: 'dalm') and not ('clalm')."""
    fold = skeleton.__wrapped__  # uncached: the lists would flush the labels' cache
    return frozenset(form for w in common_words() for form in (fold(w), fold(w, pairs=False)))
