"""Confusable skeletons: fold look-alike characters so 0kx, оkх
(Cyrillic) and o.k.x all read 'okx'."""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

import confusable_homoglyphs

from monitor.classify.text import normalise

# UTS #39 confusables as shipped (and maintained) by the confusable-homoglyphs package.
CONFUSABLES = Path(confusable_homoglyphs.__file__).resolve().parent / "confusables.json"
# Look-alikes UTS #39 leaves out because they are ASCII: digits and symbols used as letters,
# and i/l, which handles cannot tell apart in most fonts (BlNANCE vs BINANCE).
_LEET = {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s", "|": "l", "i": "l"}
# Letter pairs that render like one letter (dnstwist's homoglyph table lists all three).
_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_SEPARATORS = str.maketrans("", "", "._-· \t")


def _ascii_target(char: str, table: dict[str, list[dict[str, str]]], hops: int = 2) -> str | None:
    """The single ASCII letter or digit a character is confusable with, following a few hops."""
    for glyph in table.get(char, ()):
        target = glyph["c"]
        if len(target) == 1 and target.isascii() and target.isalnum():
            return target
        if hops > 1 and len(target) == 1 and (found := _ascii_target(target, table, hops - 1)):
            return found
    return None


@lru_cache(maxsize=1)
def confusable_table() -> dict[int, str]:
    """Code point -> lower-case ASCII prototype, for every non-ASCII
    confusable of a letter or digit."""
    table = json.loads(CONFUSABLES.read_text(encoding="utf-8"))
    out: dict[int, str] = {}
    for char in table:
        if len(char) == 1 and not char.isascii() and (target := _ascii_target(char, table)):
            out[ord(char)] = target.lower()
    return out


def fold_char(char: str) -> str:
    """One character's skeleton: its ASCII prototype if it has one, else its case-folded self."""
    if char == "I":  # capital I looks like l; case-folding would turn it into i first
        return "l"
    mapped = confusable_table().get(ord(char), char).casefold()
    if not mapped.isascii():
        # Accented Latin letters (ę, ạ, ţ) read as their base letter; marks alone add nothing.
        mapped = (
            "".join(c for c in unicodedata.normalize("NFD", mapped) if not unicodedata.combining(c))
            or mapped
        )
    return _LEET.get(mapped, mapped)


class _Folds(dict[int, str]):
    """A str.translate table of fold_char, filled as characters are met: the same as joining
    fold_char of each character, in C. Bounded: past _MAX_FOLDS characters, new ones are folded
    but not kept (a flood of distinct characters must not grow it without end)."""

    def __missing__(self, code: int) -> str:
        out = fold_char(chr(code))
        if len(self) < _MAX_FOLDS:
            self[code] = out
        return out


_MAX_FOLDS = 1 << 16
_FOLDS = _Folds()


@lru_cache(maxsize=4096)
def skeleton(text: str, pairs: bool = True) -> str:
    """NFKC, confusables folded to ASCII, leet digits folded, separators
    dropped, and rn→m, vv→w, cl→d."""
    nfkc = unicodedata.normalize("NFKC", text)
    folded = normalise(nfkc.translate(_FOLDS)).translate(_SEPARATORS)
    for pair, letter in _PAIRS if pairs else ():
        folded = folded.replace(pair, letter)
    return folded


def skeletons(text: str) -> tuple[str, ...]:
    """The skeleton, and the one without pair folding when they differ ('ledgernano' has no m)."""
    return tuple(dict.fromkeys((skeleton(text), skeleton(text, pairs=False))))


def substitutions(text: str) -> list[str]:
    """The look-alike swaps in a text in plain words, e.g. ['0→o', 'Cyrillic о→o']."""
    swaps: list[str] = []
    for char in unicodedata.normalize("NFKC", text):
        folded = fold_char(char)
        if char in "il":
            continue  # lower-case i/l folding is for matching only; naming it would be noise
        if folded != char.casefold():
            script = (
                "" if char.isascii() else unicodedata.name(char, "").split(" ")[0].title() + " "
            )
            swaps.append(f"{script}{char}→{folded}")
    for pair, letter in _PAIRS:
        if pair in text.casefold():
            swaps.append(f"{pair}→{letter}")
    return list(dict.fromkeys(swaps))
