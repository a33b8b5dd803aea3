"""Tests for the generated support training data."""

from __future__ import annotations

import random
from collections import Counter

from monitor.classify.support.generate import LABELS, NOT_SUPPORT, expand, rows


def test_expand_fills_choices_and_slots() -> None:
    """Every (a|b) and {slot} is resolved."""
    text = expand("(send|move) {coin} (now|)", {"coin": ["BTC", "(eth|ETH)"]}, random.Random(1))
    assert "(" not in text and "{" not in text and "|" not in text


def test_rows_are_seeded_balanced_and_clean() -> None:
    """Same seed, same rows; each topic present; negatives at least as many as requests."""
    for lang in ("en", "zh"):
        first, again = rows(lang, 40, seed=3), rows(lang, 40, seed=3)
        assert first == again
        counts = Counter(r["label"] for r in first)
        assert set(counts) == set(LABELS)
        assert counts[NOT_SUPPORT] >= sum(counts.values()) // 2
        assert not any("{" in r["text"] or "|" in r["text"] for r in first)


def test_different_seeds_give_different_rows() -> None:
    """The seed matters."""
    assert rows("en", 20, seed=1) != rows("en", 20, seed=2)
