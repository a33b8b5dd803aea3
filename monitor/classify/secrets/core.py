"""Runs every secret finder over a text, resolves overlaps, redacts and fingerprints."""

from __future__ import annotations

import binascii
import dataclasses
import hashlib
import hmac
import re
from base64 import b64decode, urlsafe_b64decode
from bisect import bisect_left, insort
from collections.abc import Callable

from monitor.classify.secrets import exchange, keys, passwords, seeds, tokens, views
from monitor.classify.secrets.match import SecretMatch

Finder = Callable[[str], list[SecretMatch]]
# Finders that read words rather than characters: they get the view with joiners made spaces.
WORD_FINDERS: frozenset[Finder] = frozenset({seeds.find})
# Base64 and hex blobs long enough to hide a phrase or key: decoded and searched once more.
_BLOB = re.compile(
    r"(?<![A-Za-z0-9+/_-])(?:[A-Za-z0-9+/]{24,}+={0,2}"
    r"|[A-Za-z0-9_-]{24,}+={0,2})(?![A-Za-z0-9+/_-])"
)
_HEX_BLOB = re.compile(r"(?<![0-9A-Za-z])(?:0x)?((?:[0-9a-fA-F]{2}){24,}+)(?![0-9A-Za-z])")
_PRINTABLE = re.compile(r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]*")

# The built-in finders, listed explicitly (no plugin discovery). Order breaks ties between
# overlapping matches of equal score: the more specific type wins.
FINDERS: tuple[Finder, ...] = (
    seeds.find,
    keys.find,
    exchange.find,
    tokens.find,
    passwords.find,
)


def find_secrets(text: str, finders: tuple[Finder, ...] = FINDERS) -> list[SecretMatch]:
    """All non-overlapping secrets in `text`, in text order, spans in `text`'s own characters."""
    return _resolve_overlaps(_candidates(text, finders, decode=True))


def _candidates(
    text: str, finders: tuple[Finder, ...], decode: bool
) -> list[tuple[int, SecretMatch]]:
    """Every finder's matches on its view of text, mapped back to text, with the finder's rank."""
    base = views.base(text)
    word_views = [views.words(base)] if WORD_FINDERS.intersection(finders) else []
    if word_views and views.folds_letters(text):
        # Look-alike letters folded for an English phrase would hide a Russian one.
        word_views.append(views.words(views.base(text, fold=False)))
    found: list[tuple[int, SecretMatch]] = []
    for rank, finder in enumerate(finders):
        for view in word_views if finder in WORD_FINDERS else (base,):
            # Most finders find nothing in most texts: no generator is made for an empty list.
            if matches := finder(view.text):
                found.extend((rank, _mapped(m, view)) for m in matches)
    if decode:
        found.extend((len(finders), m) for m in _encoded(base, finders))
    return found


def _mapped(m: SecretMatch, view: views.View) -> SecretMatch:
    """A match found in a view, its span moved to the original text."""
    if not view.layers:
        return m
    start, end = view.source(m.start, m.end)
    return dataclasses.replace(m, start=start, end=end)


def _encoded(base: views.View, finders: tuple[Finder, ...]) -> list[SecretMatch]:
    """Secrets hidden in base64 or hex: the whole blob is reported as what it decodes to."""
    found: list[SecretMatch] = []
    blobs = [(m.start(), m.end(), m.group()) for m in _BLOB.finditer(base.text)]
    blobs += [(m.start(), m.end(), m.group(1)) for m in _HEX_BLOB.finditer(base.text)]
    for start, end, blob in blobs:
        inner = _decoded(blob)
        if inner is None:
            continue
        # One level only: a blob inside the decoded text is not decoded again (bounded work).
        hits = _resolve_overlaps(_candidates(inner, finders, decode=False))
        if hits:
            best = max(hits, key=lambda h: h.score)
            detail = f"{best.detail}, {'hex' if _is_hex(blob) else 'base64'}-encoded"
            found.append(
                _mapped(dataclasses.replace(best, start=start, end=end, detail=detail), base)
            )
    return found


def _is_hex(blob: str) -> bool:
    """Whether a blob is all hex digits."""
    return all(c in "0123456789abcdefABCDEF" for c in blob)


def _decoded(blob: str) -> str | None:
    """The text a base64 or hex blob encodes, or None when it is not printable UTF-8 text."""
    try:
        if _is_hex(blob):
            raw = bytes.fromhex(blob)
        elif "-" in blob or "_" in blob:
            raw = urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        else:
            raw = b64decode(blob + "=" * (-len(blob) % 4))
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    # Keys, hashes and signatures decode to random bytes; only text can hold words.
    if _PRINTABLE.fullmatch(text) is None or sum(c.isalnum() for c in text) * 2 < len(text):
        return None
    return text


def _resolve_overlaps(found: list[tuple[int, SecretMatch]]) -> list[SecretMatch]:
    """Keep the best match where spans overlap: higher score, then longer span, then finder order.

    The kept spans never overlap, so one binary search over their starts tells whether a new
    span overlaps any: O(n log n) in the number of matches (a post of repeated key words makes
    tens of thousands).
    """
    ordered = sorted(found, key=lambda rm: (-rm[1].score, -(rm[1].end - rm[1].start), rm[0]))
    starts: list[int] = []
    ends: dict[int, int] = {}
    kept: list[SecretMatch] = []
    for _, m in ordered:
        i = bisect_left(starts, m.end)  # kept spans starting before m ends
        if i and ends[starts[i - 1]] > m.start:
            continue
        insort(starts, m.start)
        ends[m.start] = m.end
        kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def redact(text: str, matches: list[SecretMatch]) -> str:
    """Replace each matched span with its readable placeholder."""
    out: list[str] = []
    pos = 0
    for m in sorted(matches, key=lambda m: m.start):
        out.append(text[pos : m.start])
        out.append(m.placeholder)
        pos = m.end
    out.append(text[pos:])
    return "".join(out)


def fingerprint(match: SecretMatch, salt: bytes) -> str:
    """A salted, truncated HMAC of the secret: equal secrets match, the
    secret cannot be recovered."""
    digest = hmac.new(salt, match.value.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:16]
