"""The detector's word lists, read once from data/impersonation/ (one
entry a line, '#' comments)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from monitor.classify.bundled import data_path

DATA_DIR = data_path("impersonation")


def read_entries(path: Path) -> list[str]:
    """Non-blank lines of a list file with '#' comments and surrounding space removed."""
    lines = (
        line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
    )
    return [line for line in lines if line]


@cache
def words(name: str) -> tuple[str, ...]:
    """A bundled list by file stem, e.g. words('shorteners'), case-folded."""
    return tuple(entry.casefold() for entry in read_entries(DATA_DIR / f"{name}.txt"))


# Ordinary words under this length are left out: three-letter entries of a model's vocabulary (duc,
# ait) would make any label read as words.
_MIN_WORD = 4


@cache
def common_words() -> frozenset[str]:
    """Words a host label may hold that are no misspelling of a brand: English words of 4+ letters
    (the support model's MiniLM vocabulary), the words phishing hosts pair with a brand
    (domain_words, lure_host_words) and real names of crypto firms (known_names)."""
    found = set(words("domain_words")) | {e.split()[-1] for e in words("lure_host_words")}
    found |= set(words("known_names"))
    return frozenset(found | _vocabulary())


def _vocabulary() -> set[str]:
    """Whole lower-case English words of MiniLM's WordPiece vocabulary, read from the tokenizer.json
    shipped with the support model (every install has it; the weights package is for training only);
    none if the file is missing."""
    path = data_path("support", "model", "tokenizer.json")
    if not path.exists():
        return set()
    vocab = json.loads(path.read_text(encoding="utf-8")).get("model", {}).get("vocab", {})
    return {w for w in vocab if len(w) >= _MIN_WORD and w.isascii() and w.isalpha() and w.islower()}
