"""The cheap first stage: a linear model over hashed n-grams, one support
logit and seven topic logits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from monitor.classify.support.features import DIM, hashed
from monitor.classify.text import has_cjk

FILE = "linear.npz"


@dataclass(frozen=True, slots=True)
class Scores:
    """One stage's view of a post: P(support request) and P(topic | support request)."""

    support: float
    topics: np.ndarray  # shape (7,), ordered as monitor.core.models.SUPPORT_TOPICS


def sigmoid(x: float) -> float:
    """Logistic function that does not overflow for large negative x."""
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class ByScript:
    """One hashed model for Chinese posts (any Chinese character) and one for the rest: trained
    apart, so the English rows learned from real sets move no Chinese score (together, they cost
    Chinese on the dev half: Alipay recall 0.898 -> 0.878, Weibo false positives 2.6% -> 3.8%)."""

    def __init__(self, latin: HashedLinear, chinese: HashedLinear) -> None:
        self.latin, self.chinese = latin, chinese

    @classmethod
    def load(cls, model_dir: Path) -> ByScript:
        """Read linear.npz: both models (their used rows, or every row as written before), or one
        model serving both (as written before the split)."""
        with np.load(model_dir / FILE) as npz:
            if "weights" in npz:
                one = HashedLinear(npz["weights"], npz["bias"])
                return cls(one, one)
            if "latin_at" not in npz:
                return cls(
                    HashedLinear(npz["latin_weights"], npz["latin_bias"]),
                    HashedLinear(npz["chinese_weights"], npz["chinese_bias"]),
                )
            return cls(*(
                HashedLinear(_spread(npz[f"{s}_at"], npz[f"{s}_rows"]), npz[f"{s}_bias"])
                for s in ("latin", "chinese")
            ))

    def save(self, model_dir: Path) -> None:
        """Write linear.npz: float16 rows (the loss in precision is irrelevant), only those of the
        buckets some training text used (41% of the Latin ones, 8% of the Chinese), uncompressed:
        2.6 MB that load in a few ms, where the whole tables compressed took ~18 ms to inflate."""
        model_dir.mkdir(parents=True, exist_ok=True)
        (latin_at, latin_rows), (chinese_at, chinese_rows) = map(_used, (self.latin, self.chinese))
        np.savez(
            model_dir / FILE,
            latin_at=latin_at, latin_rows=latin_rows, latin_bias=self.latin.bias,
            chinese_at=chinese_at, chinese_rows=chinese_rows, chinese_bias=self.chinese.bias,
        )

    def scores(self, text: str) -> Scores:
        """Probabilities for one text, from its script's model."""
        return (self.chinese if has_cjk(text) else self.latin).scores(text)


class HashedLinear:
    """Sum of per-bucket weight rows, scaled by 1/sqrt(n) so long and short posts weigh alike."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        if weights.shape[0] != DIM:
            raise ValueError(f"linear model has {weights.shape[0]} buckets, features give {DIM}")
        # float16 rows stay float16 (16 MB less, ~20 ms less to load); each post's rows are made
        # float32 before they are summed, so the sums are those of a float32 table.
        self.weights = weights if weights.dtype == np.float16 else weights.astype(np.float32)
        self.bias = bias.astype(np.float32)

    @classmethod
    def load(cls, model_dir: Path) -> HashedLinear:
        """Read linear.npz from a model directory."""
        with np.load(model_dir / FILE) as npz:
            return cls(npz["weights"], npz["bias"])

    def save(self, model_dir: Path) -> None:
        """Write linear.npz (float16 halves the committed size; the loss
        in precision is irrelevant)."""
        model_dir.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            model_dir / FILE, weights=self.weights.astype(np.float16), bias=self.bias
        )

    def logits(self, text: str) -> np.ndarray:
        """The eight raw outputs: support logit, then the seven topic logits."""
        ids = hashed(text)
        rows = self.weights[ids].astype(np.float32, copy=False)
        return rows.sum(axis=0) / math.sqrt(len(ids)) + self.bias

    def scores(self, text: str) -> Scores:
        """Probabilities for one text."""
        return from_logits(self.logits(text))


def _used(model: HashedLinear) -> tuple[np.ndarray, np.ndarray]:
    """The buckets whose float16 row is not all zeros, and those rows."""
    rows = model.weights.astype(np.float16)
    at = np.flatnonzero((rows != 0).any(axis=1)).astype(np.int32)
    return at, rows[at]


def _spread(at: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The whole float16 table from its used rows: every other bucket's row is zeros."""
    table = np.zeros((DIM, rows.shape[1]), dtype=np.float16)
    table[at] = rows
    return table


def from_logits(logits: np.ndarray) -> Scores:
    """Probabilities from one row of the eight outputs either stage gives."""
    return Scores(support=sigmoid(float(logits[0])), topics=softmax(logits[1:]))
