"""Text to hashed features: normal form, traditional-to-simplified folding,
word and character n-grams."""

from __future__ import annotations

import re
import zlib
from functools import lru_cache
from itertools import pairwise

from monitor.classify.text import normalise, simplified

DIM = 1 << 18  # hash buckets; collisions cost little at this size and the table stays ~4 MB

# A link is what r"https?://\S+|www\.\S+|\b\S+\.(?:com|xyz|io|org|net)\S*" matches. That regex is
# quadratic on long runs without spaces ("a.a.a...", "<b><b>..."): 1 MB took over an hour. Each of
# its matches runs to the end of a whitespace-free token, so _links finds the start directly.
_TOKEN = re.compile(r"\S+")
_SCHEME = re.compile(r"https?://\S|www\.\S")
_TLD = re.compile(r"\.(?:com|xyz|io|org|net)")
_WORD_CHAR = re.compile(r"\w")
_HANDLE = re.compile(r"@[\w.]+")
_DIGIT = re.compile(r"\d")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9']+|[^\sa-z0-9'\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def prepare(text: str) -> str:
    """Normal form for features: case-folded, simplified Chinese, and no
    brand, link or number identity."""
    text = simplified(normalise(text))
    # Handles and links name brands or scam sites; which one says nothing about a support need.
    text = _links(_HANDLE.sub(" @ ", text))
    return _DIGIT.sub("0", text)


def _links(text: str) -> str:
    """Every link replaced by " http ", in linear time (a link runs from
    its start to the token's end)."""
    # A token changes only where a scheme, www. or a TLD is in it: most posts hold none.
    if _SCHEME.search(text) is None and _TLD.search(text) is None:
        return text
    return _TOKEN.sub(lambda m: _without_link(m.group()), text)


def _without_link(token: str) -> str:
    """The token cut where a link starts: a scheme or www., or its first word
    character when a TLD follows."""
    starts = [m.start() for m in (_SCHEME.search(token),) if m]
    word = _WORD_CHAR.search(token)
    tld = max((m.start() for m in _TLD.finditer(token)), default=-1)
    if word and word.start() < tld:
        starts.append(word.start())
    return token if not starts else token[: min(starts)] + " http "


def grams(text: str) -> list[str]:
    """Word uni/bigrams, character 3- and 5-grams of Latin words, and character 1-3 grams of
    Chinese runs: the features' definition, which hashed() computes without building these strings
    (tests/classify/support/test_features.py holds the two equal)."""
    words = _WORD.findall(_CJK_RUN.sub(" ", text))
    out = [f"w:{w}" for w in words]
    out += [f"b:{a} {b}" for a, b in pairwise(words)]
    for w in words:
        if len(w) > 3:  # misspellings ("withdrawl") still share most character n-grams
            padded = f"<{w}>"
            out += [f"c:{padded[i : i + n]}" for n in (3, 5) for i in range(len(padded) - n + 1)]
    for run in _CJK_RUN.findall(text):
        out += [f"z:{run[i : i + n]}" for n in (1, 2, 3) for i in range(len(run) - n + 1)]
    return out


def hashed(text: str) -> list[int]:
    """Bucket ids for a raw text (repeats kept, so counts weigh in); never empty."""
    ids = _bucket_ids(prepare(text))
    return ids or [0]


# CRC-32 runs on: crc32(prefix + gram) == crc32(gram, crc32(prefix)), so the prefixes are hashed
# once and no prefixed string is built.
_W, _B, _C, _Z = (zlib.crc32(p) for p in (b"w:", b"b:", b"c:", b"z:"))
_MASK = DIM - 1  # x % DIM for DIM a power of two


def _bucket_ids(text: str) -> list[int]:
    """The bucket of every gram of grams(text), in its order (the model sums them in it), without
    building the grams: bytes are sliced instead (CPU time of the 10k posts' n-grams halved)."""
    crc = zlib.crc32
    words = _WORD.findall(_CJK_RUN.sub(" ", text))
    out = [crc(w.encode("utf-8"), _W) & _MASK for w in words]
    out += [crc(f"{a} {b}".encode(), _B) & _MASK for a, b in pairwise(words)]
    for w in words:
        if len(w) > 3:
            out += _char_ids(w)
    for run in _CJK_RUN.findall(text):
        # Every character of a run is three bytes in UTF-8 (U+3400..U+FAFF).
        data = run.encode("utf-8")
        out += [
            crc(data[3 * i : 3 * (i + n)], _Z) & _MASK
            for n in (1, 2, 3)
            for i in range(len(run) - n + 1)
        ]
    return out


@lru_cache(maxsize=1 << 16)
def _char_ids(word: str) -> tuple[int, ...]:
    """The buckets of a word's character 3- and 5-grams; cached, as most words come again."""
    # Only [a-z0-9']+ words are longer than one character: ASCII, one byte a character.
    padded = f"<{word}>".encode("ascii")
    return tuple(
        zlib.crc32(padded[i : i + n], _C) & _MASK for n in (3, 5) for i in range(len(word) + 3 - n)
    )
