"""A text's fingerprint for near-copy matching: a normal form, its shingles, their MinHash."""

from __future__ import annotations

import re
import zlib
from functools import cache

import numpy as np
from datasketch import MinHash

from monitor.classify.impersonation.skeleton import confusable_table
from monitor.classify.text import normalise, simplified

NUM_PERM = 64  # 64 permutations: a Jaccard estimate within ~0.06, 512 bytes a remembered text
SHINGLE = 5  # characters: a reworded copy keeps most 5-grams of the words it did not change
MIN_CONTENT_WORDS = 5
SEED = 24
# What a copy changes freely without being another text: links, handles, numbers, redactions.
_REDACTED = re.compile(r"\[[^\[\]\n]{1,40} removed\]", re.IGNORECASE)
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,12}(?:/\S*)?",
                   re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
_NUMBER = re.compile(r"\d[\d ,.:+-]*")
_WORD = re.compile(r"[^\W\d_]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Words that carry no campaign on their own: greetings, thanks and the commonest function words.
_STOP_WORDS = """
a an and are as at be but by can do for from get gm gn good got has have hello hey hi how i if
in is it its just me morning my no not of ok okay on or our so that the thanks thank thx to too
u up us was we what when will with yes you your all this here there they them he she his her
everyone guys fam frens friends day night lol gg wagmi ser
"""
STOP = frozenset(_STOP_WORDS.split())
# Their Chinese counterparts (the normal form is simplified Chinese), taken out before the
# characters are counted.
_ZH_STOP = re.compile("早上好|晚上好|下午好|中午好|大家好|你们好|您好|你好|早安|午安|晚安"
                      "|谢谢|感谢|多谢|再见|哈+|新年快乐|好的|收到|大家|各位|朋友们|兄弟们")


@cache
def _fold() -> dict[int, str]:
    """Look-alike letters (Cyrillic о, fullwidth ｆ) to ASCII prototypes, for str.translate."""
    return dict(confusable_table())


def normal_form(text: str) -> str:
    """The words of a text as a copy is compared: case, look-alikes and script folded; links,
    handles, numbers and redactions masked (a wave changes them from copy to copy)."""
    text = _REDACTED.sub(" ", normalise(text))
    text = _NUMBER.sub(" 0 ", _HANDLE.sub(" @ ", _LINK.sub(" link ", text)))
    text = simplified(text).translate(_fold())
    return " ".join(re.findall(r"[^\W_]+|@", text))


def content_words(norm: str) -> int:
    """The distinct words of a normal form that say something: letters-only words of 3+ letters
    outside STOP, a distinct Chinese character counting half."""
    words = {w for w in _WORD.findall(_CJK.sub(" ", norm)) if len(w) >= 3 and w not in STOP}
    return len(words) + len(set(_CJK.findall(_ZH_STOP.sub(" ", norm)))) // 2


def informative(text: str) -> bool:
    """Whether a text says enough to be remembered or matched: 'gm everyone', 'thanks' and emoji
    do not."""
    return content_words(normal_form(text)) >= MIN_CONTENT_WORDS


def shingles(norm: str) -> list[bytes]:
    """The distinct character SHINGLE-grams of a normal form."""
    if len(norm) <= SHINGLE:
        return [norm.encode()]
    return list({norm[i : i + SHINGLE].encode() for i in range(len(norm) - SHINGLE + 1)})


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The MinHash permutations, made once (making them per text costs more than hashing it)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED).permutations  # type: ignore[no-any-return]


def _crc(item: bytes) -> int:
    """A fast, stable 32-bit hash (the same in every process, unlike hash())."""
    return zlib.crc32(item)


def minhash(norm: str) -> MinHash:
    """The MinHash of a normal form's shingles."""
    m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_crc,
                permutations=_permutations(), scheme="affine32")
    m.update_batch(shingles(norm))
    return m


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard estimate of two MinHash signatures."""
    return float(np.count_nonzero(a == b)) / len(a)
