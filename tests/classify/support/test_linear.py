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


def random_model(seed: int, used: float) -> HashedLinear:
    """A model whose rows are random where a bucket is `used` (that share of them), else zeros."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=(DIM, 8)).astype(np.float32)
    weights[rng.random(DIM) >= used] = 0
    return HashedLinear(weights, rng.normal(size=8).astype(np.float32))


def test_the_used_rows_written_give_the_logits_of_the_whole_float16_table(tmp_path: Path) -> None:
    """Only used buckets are written; read back, every text's logits are those of the whole table
    rounded to float16 and summed in float32, bit for bit."""
    latin, chinese = random_model(1, 0.4), random_model(2, 0.05)
    ByScript(latin, chinese).save(tmp_path)
    with np.load(tmp_path / FILE) as npz:
        assert len(npz["chinese_rows"]) < DIM * 0.06
    model = ByScript.load(tmp_path)
    for text in ("my withdrawal is stuck", "提币没到账 help", "", "x" * 3000, "gm 🙏"):
        for before, after in ((latin, model.latin), (chinese, model.chinese)):
            rounded = HashedLinear(before.weights.astype(np.float16).astype(np.float32),
                                   before.bias)
            assert np.array_equal(after.logits(text), rounded.logits(text))


def test_tables_written_whole_before_still_load(tmp_path: Path) -> None:
    """linear.npz as written before only used rows were: both tables whole, compressed."""
    latin, chinese = random_model(3, 0.3), random_model(4, 0.3)
    np.savez_compressed(
        tmp_path / FILE,
        latin_weights=latin.weights.astype(np.float16), latin_bias=latin.bias,
        chinese_weights=chinese.weights.astype(np.float16), chinese_bias=chinese.bias,
    )
    model = ByScript.load(tmp_path)
    ByScript(latin, chinese).save(tmp_path / "new")
    again = ByScript.load(tmp_path / "new")
    for text in ("my deposit is missing", "充值没到账"):
        assert np.array_equal(model.scores(text).topics, again.scores(text).topics)
        assert model.scores(text).support == again.scores(text).support
