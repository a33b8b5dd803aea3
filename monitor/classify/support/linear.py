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
        """Read linear.npz: both models, or one model serving both (as written before the split)."""
        with np.load(model_dir / FILE) as npz:
            if "weights" in npz:
                one = HashedLinear(npz["weights"], npz["bias"])
                return cls(one, one)
            return cls(
                HashedLinear(npz["latin_weights"], npz["latin_bias"]),
                HashedLinear(npz["chinese_weights"], npz["chinese_bias"]),
            )

    def save(self, model_dir: Path) -> None:
        """Write linear.npz (float16 halves the committed size; the loss
        in precision is irrelevant)."""
        model_dir.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            model_dir / FILE,
            latin_weights=self.latin.weights.astype(np.float16),
            latin_bias=self.latin.bias,
            chinese_weights=self.chinese.weights.astype(np.float16),
            chinese_bias=self.chinese.bias,
        )

    def scores(self, text: str) -> Scores:
        """Probabilities for one text, from its script's model."""
        return (self.chinese if has_cjk(text) else self.latin).scores(text)


class HashedLinear:
    """Sum of per-bucket weight rows, scaled by 1/sqrt(n) so long and short posts weigh alike."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        if weights.shape[0] != DIM:
            raise ValueError(f"linear model has {weights.shape[0]} buckets, features give {DIM}")
        self.weights = weights.astype(np.float32)
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
        return self.weights[ids].sum(axis=0) / math.sqrt(len(ids)) + self.bias

    def scores(self, text: str) -> Scores:
        """Probabilities for one text."""
        return from_logits(self.logits(text))


def from_logits(logits: np.ndarray) -> Scores:
    """Probabilities from one row of the eight outputs either stage gives."""
    return Scores(support=sigmoid(float(logits[0])), topics=softmax(logits[1:]))
