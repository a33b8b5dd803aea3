"""Normalised views of a text for the secret finders, each mapped back to the characters typed.

People (and attackers) paste secrets in shapes the finders were not written for: fullwidth
digits, Cyrillic look-alike letters, a NUL byte inside a label, words joined by emoji, `_`, `+`
or `%20`, letters spaced out. A finder reads a view where those are undone; each view keeps a
map from its characters to the original ones, so redaction removes exactly what the user typed.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote_to_bytes

from monitor.classify.impersonation.skeleton import confusable_table

# Control characters (C0 but tab and newlines, DEL, C1) and characters that hide text or reorder
# it: dropped, so "pass\0word is" and "abandon\u200bability" read as typed to the eye.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u180e\u200b-\u200f\u2028\u2029"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\U000e0000-\U000e007f]+"
)
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# Marks that follow a Latin letter (an accent typed on each word of a phrase).
# Only after Latin letters: Russian and Japanese phrases carry marks of their own (й, が).
_LATIN_MARKS = re.compile(r"(?<=[A-Za-z\u00c0-\u024f])[\u0300-\u036f]+")
# Between words of a phrase: anything that is not a letter, digit, space or a list separator the
# seed finder already reads (emoji, `_`, `+`, `=`, `&`, `~`...) becomes one space.
_JOINERS = re.compile(
    r"(?:[^\w\s,，、;；.。:：\-–—()（）\[\]#|/*\"'•·\u0300-\u036f\u3099\u309a]|_)+"
)
# Letters spaced out one by one ("a b a n d o n"): three or more single Latin letters.
_SPACED = re.compile(r"(?<![A-Za-z])[A-Za-z](?:[ .\-·][A-Za-z]){2,}(?![A-Za-z])")
_SPACED_SEP = re.compile(r"[ .\-·]")

_FOLDABLE = re.compile("[\u00c0-\u024f\u0370-\u058f\u1d00-\u1dbf\u1e00-\u1fff]")

Piece = tuple[int, int, int, int]  # (view start, view end, source start, source end)


# A match's replacement (a plain string: no backslash escapes), or how to make it from the match.
Rewrite = str | Callable[[str], str]


class Layer:
    """One rewrite of a text: the spans it changed, in order, each mapped to its source span.

    The spans are worked out on the first mapping only: few texts hold a secret, so most views
    are read and dropped without ever mapping a span back.
    """

    __slots__ = ("_pattern", "_pieces", "_repl", "_source", "_starts")

    def __init__(self, source: str, pattern: re.Pattern[str], repl: Rewrite) -> None:
        """The rewrite of source that replaced each match of pattern by repl."""
        self._source, self._pattern, self._repl = source, pattern, repl
        self._pieces: list[Piece] | None = None
        self._starts: list[int] = []

    def source(self, start: int, end: int) -> tuple[int, int]:
        """The source span of view characters start..end (end exclusive, end > start)."""
        return self._where(start, first=True), self._where(end - 1, first=False)

    def _where(self, pos: int, first: bool) -> int:
        """Where a view character comes from: the start (or the end) of its source."""
        pieces = self._mapped_pieces()
        i = bisect_right(self._starts, pos) - 1
        if i < 0:
            return pos if first else pos + 1
        vstart, vend, sstart, send = pieces[i]
        if vstart <= pos < vend:
            return sstart if first else send
        shifted = pos + (send - vend)
        return shifted if first else shifted + 1

    def _mapped_pieces(self) -> list[Piece]:
        """The changed spans (view start, view end, source start, source end), found once."""
        if self._pieces is None:
            self._pieces = _pieces(self._source, self._pattern, self._repl)
            self._starts = [p[0] for p in self._pieces]
        return self._pieces


@dataclass(frozen=True, slots=True)
class View:
    """A text as a finder reads it, with the layers that lead back to the original."""

    text: str
    layers: tuple[Layer, ...] = ()

    def source(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that view characters start..end came from."""
        for layer in reversed(self.layers):
            start, end = layer.source(start, end)
        return start, end

    def then(self, rewrite: Callable[[str], tuple[str, Layer | None]]) -> View:
        """This view rewritten once more."""
        text, layer = rewrite(self.text)
        return View(text, self.layers if layer is None else (*self.layers, layer))


def substitute(text: str, pattern: re.Pattern[str], repl: Rewrite) -> tuple[str, Layer | None]:
    """The text with each match of pattern replaced, and the layer
    mapping it back (None: unchanged)."""
    # re.sub works in C; a plain-string repl needs no Python call per match at all.
    new = pattern.sub(repl if isinstance(repl, str) else lambda m: repl(m.group()), text)
    # Every rewrite here changes a match's length or its characters, never both back to the
    # same text: an unchanged text had no match changed, so it needs no layer.
    if new == text:
        return text, None
    return new, Layer(text, pattern, repl)


def _pieces(text: str, pattern: re.Pattern[str], repl: Rewrite) -> list[Piece]:
    """Each match that repl changes: its span in the rewritten text and in text."""
    pieces: list[Piece] = []
    shift = 0  # view position minus source position, after the pieces so far
    for m in pattern.finditer(text):
        old = m.group()
        new = repl if isinstance(repl, str) else repl(old)
        if new == old:
            continue
        vstart = m.start() + shift
        pieces.append((vstart, vstart + len(new), m.start(), m.end()))
        shift += len(new) - len(old)
    return pieces


@cache
def _nfkc_tables() -> tuple[dict[int, str], re.Pattern[str], frozenset[str]]:
    """NFKC per character: a one-to-one translate table, a pattern for the longer ones (㎏, ﬁ),
    and the set of every character NFKC changes (most texts have none: no work for them)."""
    one: dict[int, str] = {}
    longer: list[str] = []
    ranges = [range(0xA0, 0x10000), range(0x1D400, 0x1D800), range(0x1F100, 0x1F200)]
    for cp in (c for r in ranges for c in r):
        char = chr(cp)
        if 0xD800 <= cp < 0xE000:
            continue
        norm = unicodedata.normalize("NFKC", char)
        if norm == char or not norm:
            continue
        if len(norm) == 1:
            one[cp] = norm
        else:
            longer.append(char)
    pattern = re.compile(f"[{''.join(map(re.escape, longer))}]")
    return one, pattern, frozenset(map(chr, one)) | frozenset(longer)


@cache
def _folds() -> dict[int, str]:
    """Look-alike letters of other scripts folded to the Latin letter they mimic, case kept,
    and accented Latin letters to their base letter (one character for one)."""
    table: dict[int, str] = {}
    for cp, target in confusable_table().items():
        char = chr(cp)
        if unicodedata.category(char).startswith("L") and _script(char) in (
            "CYRILLIC",
            "GREEK",
            "ARMENIAN",
            "LATIN",
        ):
            table[cp] = target.upper() if char.isupper() else target
    for cp in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(cp))[0]
        if base.isascii() and base.isalpha():
            table[cp] = base
    return table


def fold(text: str) -> str:
    """Look-alike and accented letters folded as base() folds them."""
    return text.translate(_folds())


def _script(char: str) -> str:
    """The script word that starts a character's Unicode name ("CYRILLIC SMALL LETTER A")."""
    return unicodedata.name(char, "?").split(" ")[0]


def _nfkc(text: str) -> tuple[str, Layer | None]:
    """Compatibility forms folded: fullwidth digits and letters, ligatures, math alphanumerics."""
    one, longer, changed = _nfkc_tables()
    # A set test: a regex class of the thousands of changed characters
    # is slow to scan with (0.3 s of 10,000 posts).
    if text.isascii() or changed.isdisjoint(text):
        return text, None
    text = text.translate(one)  # one for one: positions unchanged, no layer needed
    return substitute(text, longer, lambda s: unicodedata.normalize("NFKC", s))


def _percent(text: str) -> tuple[str, Layer | None]:
    """URL escapes decoded (`%20`, `%2B`); a run that is not UTF-8 is left as typed."""
    if "%" not in text:
        return text, None

    def decode(run: str) -> str:
        try:
            return unquote_to_bytes(run).decode("utf-8")
        except UnicodeDecodeError:
            return run

    return substitute(text, _PERCENT, decode)


def base(text: str, fold: bool = True) -> View:
    """The view every finder reads: hidden and control characters dropped, NFKC, look-alike letters
    folded (unless fold is False: Russian phrases are Cyrillic), URL escapes decoded."""
    if text.isascii() and "%" not in text and not _HIDDEN.search(text):
        return View(text)
    view = View(text).then(lambda t: substitute(t, _HIDDEN, ""))
    view = view.then(_nfkc)
    if fold and folds_letters(view.text):
        view = View(view.text.translate(_folds()), view.layers)
    return view.then(_percent)


def folds_letters(text: str) -> bool:
    """Whether base() may fold a letter of this text (Latin with accents,
    Greek, Cyrillic, Armenian)."""
    return not text.isascii() and _FOLDABLE.search(text) is not None


def words(view: View) -> View:
    """The view the seed-phrase finder reads: accents dropped, joiners made spaces, spaced-out
    letters squeezed back into words."""
    # Combining marks are not ASCII: most posts have none to drop.
    out = view if view.text.isascii() else view.then(lambda t: substitute(t, _LATIN_MARKS, ""))
    out = out.then(lambda t: substitute(t, _JOINERS, " "))
    return out.then(lambda t: substitute(t, _SPACED, lambda s: _SPACED_SEP.sub("", s)))
