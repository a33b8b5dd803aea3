"""Text helpers shared by detectors: language guess and a cheap normal form."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from monitor.classify.bundled import data_path

# Built for the support model's features
# (data/support/build_t2s.py); every Chinese rule reads it too.
T2S_PATH = data_path("support", "t2s.txt")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
# Characters that hide text or reorder it: stripped before matching so they cannot split a word.
_INVISIBLE = dict.fromkeys(
    [
        0x00AD,
        0x034F,
        0x061C,
        0x180E,
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x2060,
        0xFEFF,
        *range(0x202A, 0x202F),
        *range(0x2061, 0x2065),
        *range(0x2066, 0x206A),
        *range(0xE0000, 0xE0080),
    ]
)


def language(text: str) -> str:
    """'zh' when the text has Chinese characters (and no kana or
    hangul), else 'ja', 'ko' or 'en'."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    return "zh" if has_cjk(text) else "en"


def has_cjk(text: str) -> bool:
    """True when the text has a Chinese (CJK ideograph) character."""
    return bool(_CJK.search(text))


def strip_invisible(text: str) -> str:
    """The text without zero-width, bidi-control and tag characters (they
    can hide a secret's shape)."""
    return text.translate(_INVISIBLE)


# Several detectors normalise the same text of a post in turn, a batch at a time: the last few
# hundred short texts are kept (long ones are not, so the cache stays small).
_REMEMBERED, _REMEMBERED_CHARS = 512, 4096


def normalise(text: str) -> str:
    """NFKC, case-folded, with invisible and bidi-control characters removed."""
    return _normalised(text) if len(text) <= _REMEMBERED_CHARS else _normalise(text)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()


_normalised = lru_cache(maxsize=_REMEMBERED)(_normalise)


@cache
def _t2s() -> dict[int, str]:
    """The traditional-to-simplified table as a str.translate map, read once."""
    rows = T2S_PATH.read_text(encoding="utf-8").splitlines()
    pairs = (row.split("\t") for row in rows if row and not row.startswith("#"))
    return {ord(t): s for t, s in pairs}


def simplified(text: str) -> str:
    """Traditional Chinese characters folded to simplified, so one rule
    or model serves both scripts."""
    return text.translate(_t2s())
