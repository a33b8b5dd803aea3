"""Tests for the MiniLM stage: token batches, batch-independent embeddings, the MiniLM process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from monitor.classify.support.encoder import MiniLM, token_batches
from monitor.classify.support.remote import EncoderError, RemoteEncoder

TEXTS = ["my withdrawal is stuck", "", "x" * 900, "hello 🙏 world, 提币没到账", "KYC failed twice!!"]


def test_token_batches_cover_every_text_once_within_the_budget() -> None:
    """Each index once, shortest first; a batch's padded size stays in budget unless it is one text."""
    lengths = [3, 50, 7, 128, 7, 20, 2, 128, 64]
    batches = token_batches(lengths, budget=128)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert [lengths[i] for b in batches for i in b] == sorted(lengths)
    for b in batches:
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 128


def test_an_embedding_does_not_depend_on_the_texts_batched_with_it() -> None:
    """Full precision with padding masked: a post scores the same alone or among others."""
    encoder = MiniLM()
    alone = np.vstack([encoder.embed([t]) for t in TEXTS])
    together = encoder.embed(TEXTS + ["a much longer neighbour " * 20] * 3)[: len(TEXTS)]
    assert together.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(alone, together, atol=1e-5)


def test_the_minilm_process_embeds_as_minilm_does_here() -> None:
    """Requests sent before the child has loaded are answered in full, in order."""
    remote = RemoteEncoder()
    try:
        futures = [remote.submit([t]) for t in TEXTS] + [remote.submit(TEXTS)]
        rows = [f.result(timeout=120) for f in futures]
    finally:
        remote.close()
    local = MiniLM().embed(TEXTS)
    assert np.allclose(np.vstack(rows[:-1]), local, atol=1e-5)
    assert np.allclose(rows[-1], local, atol=1e-5)


def test_a_child_that_dies_fails_its_requests_and_is_replaced() -> None:
    """Waiting requests fail with the exit code instead of hanging; the next request starts a new child."""
    remote = RemoteEncoder()
    try:
        assert remote.embed(["first"]).shape == (1, 384)
        waiting = remote.submit(["a request the child is busy with"] * 5000)
        remote._child.process.kill()  # what the OOM killer would do
        with pytest.raises(EncoderError, match=r"MiniLM process ended \(exit code -9\)"):
            waiting.result(timeout=60)
        assert remote.embed(["again"]).shape == (1, 384)
    finally:
        remote.close()


def test_a_child_without_a_model_says_why(tmp_path: Path) -> None:
    """A folder with no model files: each request fails with the loading error."""
    remote = RemoteEncoder(tmp_path)
    try:
        with pytest.raises(EncoderError, match="MiniLM did not load"):
            remote.embed(["hello"])
    finally:
        remote.close()
