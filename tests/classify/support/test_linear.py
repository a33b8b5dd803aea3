"""Tests for the n-gram stage's two models: Chinese posts read by one,
everything else by the other."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from monitor.classify.support.features import DIM
from monitor.classify.support.linear import FILE, ByScript, HashedLinear


def constant(support_logit: float) -> HashedLinear:
    """A model whose support logit is the same for every text."""
    bias = np.zeros(8, dtype=np.float32)
    bias[0] = support_logit
    return HashedLinear(np.zeros((DIM, 8), dtype=np.float32), bias)


def test_each_script_is_read_by_its_own_model(tmp_path: Path) -> None:
    ByScript(constant(-3.0), constant(3.0)).save(tmp_path)
    model = ByScript.load(tmp_path)
    assert model.scores("my withdrawal is stuck").support < 0.1
    assert model.scores("提币没到账").support > 0.9
    assert model.scores("my USDT 提币 is stuck").support > 0.9  # any Chinese character: Chinese
    assert model.scores("出金できない").support > 0.9  # kanji are Chinese characters too


def test_a_single_model_file_serves_both_scripts(tmp_path: Path) -> None:
    """linear.npz as written before the split: one model for every post."""
    one = constant(2.0)
    np.savez_compressed(tmp_path / FILE, weights=one.weights, bias=one.bias)
    model = ByScript.load(tmp_path)
    assert model.scores("hello").support == model.scores("你好").support > 0.8
