"""Tests for the MiniLM stage: length batching, the int8 variant."""

from __future__ import annotations

import warnings

import numpy as np

from monitor.classify.support.encoder import MiniLM, _length_batches


def test_length_batches_cover_every_text_once_in_similar_lengths() -> None:
    """Each index appears once; no batch is over size; a long post never pads many short ones."""
    texts = ["hi"] * 5 + ["x" * 40] * 3 + ["y" * 500] + ["z" * 90] * 4
    batches = _length_batches(texts, batch=4)
    assert sorted(i for b in batches for i in b) == list(range(len(texts)))
    assert all(len(b) <= 4 for b in batches)
    for b in batches:
        lengths = [len(texts[i]) for i in b]
        assert max(lengths) <= 2 * max(min(lengths), 32)


def test_quantised_minilm_stays_close_to_full_precision_and_loads_without_warnings() -> None:
    """int8 weights keep unit-length embeddings near the full-precision ones; torch's notices stay filtered."""
    texts = ["my withdrawal is stuck", "", "x" * 900, "hello 🙏 world, 提币没到账", "KYC failed twice!!"]
    full = MiniLM().embed(texts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small = MiniLM(quantize=True)
        rows = small.embed(texts)
    assert rows.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(full * rows, axis=1))) > 0.9
