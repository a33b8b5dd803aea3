"""Text to hashed features: normal form, traditional-to-simplified folding,
word and character n-grams."""

from __future__ import annotations

import re
import zlib
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
    """Word uni/bigrams, character 3-5 grams of Latin words, and
    character 1-3 grams of Chinese runs."""
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
    ids = [zlib.crc32(g.encode("utf-8")) % DIM for g in grams(prepare(text))]
    return ids or [0]
