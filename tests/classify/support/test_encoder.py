"""Tests for the MiniLM stage: token batches, batch-independent outputs,
the worker thread, no torch."""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.classify.support.background import BackgroundEncoder, EncoderError
from monitor.classify.support.classifier import DEFAULT_MODEL_DIR
from monitor.classify.support.encoder import (
    MAX_TOKENS,
    MODEL_FILE,
    TOKENIZER_FILE,
    MiniLM,
    token_batches,
)

TEXTS = [
    "my withdrawal is stuck",
    "",
    "x" * 900,
    "hello 🙏 world, 提币没到账",
    "KYC failed twice!!",
]


@cache
def minilm() -> MiniLM:
    """The committed model, loaded once."""
    return MiniLM(DEFAULT_MODEL_DIR)


def test_token_batches_cover_every_text_once_within_the_budget() -> None:
    """Each index once, shortest first; a batch's padded size stays in
    budget unless it is one text."""
    lengths = [3, 50, 7, 128, 7, 20, 2, 128, 64]
    batches = token_batches(lengths, budget=128)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert [lengths[i] for b in batches for i in b] == sorted(lengths)
    for b in batches:
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 128


def test_a_long_text_does_not_make_the_short_ones_pad_to_it() -> None:
    """Four 8-token texts and one of 40: two passes (32 + 40 tokens, and one pass more) cost less
    than one padded to 40 (200 tokens)."""
    assert token_batches([8, 40, 8, 8, 8], budget=512) == [[0, 2, 3, 4], [1]]
    assert token_batches([8, 9, 8], budget=512) == [[0, 2, 1]]  # one token of padding: one pass


def _first_fit(lengths: list[int], budget: int) -> list[list[int]]:
    """The batching token_batches replaced: shortest first, each batch filled while it fits."""
    batches: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        if batches and (len(batches[-1]) + 1) * lengths[i] <= budget:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def _cost(lengths: list[int], batches: list[list[int]], pass_tokens: int) -> int:
    """Padded tokens of the batches, and pass_tokens for each."""
    return sum(len(b) * max(lengths[i] for i in b) + pass_tokens for b in batches)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(1, MAX_TOKENS), max_size=80),
    st.integers(16, 1024),
    st.integers(0, 32),
)
def test_token_batches_never_cost_more_than_filling_each_in_turn(
    lengths: list[int], budget: int, pass_tokens: int
) -> None:
    """Whatever the lengths, every text once, within the budget, and no dearer than first fit."""
    batches = token_batches(lengths, budget, pass_tokens)
    assert [lengths[i] for b in batches for i in b] == sorted(lengths)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(len(b) == 1 or len(b) * max(lengths[i] for i in b) <= budget for b in batches)
    first_fit = _first_fit(lengths, budget)
    assert _cost(lengths, batches, pass_tokens) <= _cost(lengths, first_fit, pass_tokens)


def test_an_embedding_does_not_depend_on_the_texts_batched_with_it() -> None:
    """float32 compute with padding masked: a post scores the same alone or among others."""
    encoder = minilm()
    neighbours = TEXTS + ["a much longer neighbour " * 20] * 3
    alone = np.vstack([encoder.embed([t]) for t in TEXTS])
    together = encoder.embed(neighbours)[: len(TEXTS)]
    assert together.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(alone, together, atol=1e-5)
    logits_alone = np.vstack([encoder.logits([t]) for t in TEXTS])
    assert np.allclose(logits_alone, encoder.logits(neighbours)[: len(TEXTS)], atol=1e-4)


def test_texts_are_cut_at_max_tokens() -> None:
    """A long post costs no more than its first 128 tokens."""
    [ids] = minilm()._token_ids(["word " * 500])
    assert len(ids) == MAX_TOKENS and ids[-1] == minilm().tokenizer.token_to_id("[SEP]")


def test_the_worker_answers_requests_sent_before_it_has_loaded_in_order() -> None:
    """Requests queued while the model loads are answered in full, each with its own rows."""
    worker = BackgroundEncoder(DEFAULT_MODEL_DIR)
    try:
        futures = [worker.submit([t]) for t in TEXTS] + [worker.submit(TEXTS)]
        rows = [f.result(timeout=60) for f in futures]
    finally:
        worker.close()
    local = minilm().logits(TEXTS)
    assert np.allclose(np.vstack(rows[:-1]), local, atol=1e-4)
    assert np.allclose(rows[-1], local, atol=1e-4)


def test_a_worker_without_a_model_says_why(tmp_path: Path) -> None:
    """A folder with no model files: each request fails with the loading error."""
    worker = BackgroundEncoder(tmp_path)
    try:
        with pytest.raises(EncoderError, match="MiniLM did not load"):
            worker.logits(["hello"])
        with pytest.raises(EncoderError, match="MiniLM did not load"):
            worker.logits(["again"])
    finally:
        worker.close()


def test_a_failing_batch_fails_its_requests_and_the_worker_goes_on(monkeypatch) -> None:
    """One bad batch: its futures fail with the reason; the next request is answered."""
    calls = []
    real = MiniLM.logits

    def once_broken(self: MiniLM, texts: list[str]) -> np.ndarray:
        calls.append(texts)
        if len(calls) == 1:
            raise RuntimeError("bad input")
        return real(self, texts)

    monkeypatch.setattr(MiniLM, "logits", once_broken)
    worker = BackgroundEncoder(DEFAULT_MODEL_DIR)
    try:
        with pytest.raises(EncoderError, match="MiniLM failed: RuntimeError: bad input"):
            worker.logits(["first"])
        assert worker.logits(["second"]).shape == (1, 8)
    finally:
        worker.close()


def test_the_support_model_runs_without_torch_or_transformers() -> None:
    """Inference needs onnxruntime and tokenizers only: with torch and transformers made
    unimportable, an English request still goes through both stages."""
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
        "from monitor.classify.support.classifier import SupportDetector\n"
        "v = SupportDetector().predict(['hi, my withdrawal from yesterday never arrived in my "
        "wallet, can you check?'])[0]\n"
        "print(v.stage, v.topic, v.score >= 0.5)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["n-gram", "+", "MiniLM", "model", "withdrawal", "True"]


def test_the_committed_model_files_stay_small() -> None:
    """At most 30 MB in all: MiniLM's weights are stored as int8."""
    total = sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir() if p.is_file())
    assert (DEFAULT_MODEL_DIR / MODEL_FILE).is_file() and (
        DEFAULT_MODEL_DIR / TOKENIZER_FILE
    ).is_file()
    assert total <= 30 * 1024 * 1024


def test_the_tokenizer_gives_the_ids_transformers_gives() -> None:
    """The tokenizers library on the copied tokenizer.json cuts text as
    transformers' tokenizer did."""
    transformers = pytest.importorskip("transformers")  # the train extra
    export = pytest.importorskip("monitor.classify.support.export")
    reference = transformers.AutoTokenizer.from_pretrained(
        export.default_source(), local_files_only=True
    )
    texts = [*TEXTS, "ＡＰＩ key 🙏 Ünïcödé  tabs\tand\nlines", "word " * 300]
    wanted = reference(texts, truncation=True, max_length=MAX_TOKENS)["input_ids"]
    assert minilm()._token_ids(texts) == wanted


def test_a_graph_without_its_weights_file_is_named_before_it_loads(tmp_path: Path) -> None:
    """The committed graph keeps its weights beside it (export.optimise): a copy that lost them is
    reported by `monitor doctor`'s check, naming the file, not by onnxruntime at the first post."""
    import shutil

    from monitor.classify.support.classifier import META_FILE, model_problems
    from monitor.classify.support.encoder import MODEL_DATA_FILE
    from monitor.classify.support.linear import FILE

    for name in (MODEL_FILE, TOKENIZER_FILE, META_FILE, FILE):
        shutil.copy(DEFAULT_MODEL_DIR / name, tmp_path / name)
    assert model_problems(tmp_path) == [
        f"{tmp_path / MODEL_DATA_FILE} is missing (the weights of {tmp_path / MODEL_FILE})"
    ]
    shutil.copy(DEFAULT_MODEL_DIR / MODEL_DATA_FILE, tmp_path / MODEL_DATA_FILE)
    assert model_problems(tmp_path) == []
