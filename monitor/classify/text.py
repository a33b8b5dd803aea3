"""Text helpers shared by detectors: language guess and a cheap normal form."""

from __future__ import annotations

import re
import unicodedata

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
# Characters that hide text or reorder it: stripped before matching so they cannot split a word.
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)


def language(text: str) -> str:
    """'zh' when the text has Chinese characters (and no kana or hangul), else 'ja', 'ko' or 'en'."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    return "zh" if _CJK.search(text) else "en"


def normalise(text: str) -> str:
    """NFKC, case-folded, with invisible and bidi-control characters removed."""
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
