"""Tests for the MiniLM stage's length batching."""

from __future__ import annotations

from monitor.classify.support.encoder import _length_batches


def test_length_batches_cover_every_text_once_in_similar_lengths() -> None:
    """Each index appears once; no batch is over size; a long post never pads many short ones."""
    texts = ["hi"] * 5 + ["x" * 40] * 3 + ["y" * 500] + ["z" * 90] * 4
    batches = _length_batches(texts, batch=4)
    assert sorted(i for b in batches for i in b) == list(range(len(texts)))
    assert all(len(b) <= 4 for b in batches)
    for b in batches:
        lengths = [len(texts[i]) for i in b]
        assert max(lengths) <= 2 * max(min(lengths), 32)
