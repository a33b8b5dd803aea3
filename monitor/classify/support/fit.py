"""Training for both stages: the hashed linear model and the MiniLM head, with torch on CPU."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from monitor.classify.support.features import DIM, hashed
from monitor.classify.support.generate import LABELS
from monitor.classify.support.linear import HashedLinear

OUTPUTS = len(LABELS)  # support logit + one logit per topic


@dataclass(frozen=True, slots=True)
class Head:
    """The linear layer from a MiniLM embedding to the eight logits; export.attach_head puts it in
    the ONNX graph."""

    weights: np.ndarray  # (384, 8)
    bias: np.ndarray  # (8,)


def targets(labels: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Support target (0/1) and topic index (-100, ignored by the loss, for non-requests)."""
    index = [LABELS.index(label) for label in labels]
    support = torch.tensor([float(i > 0) for i in index])
    topic = torch.tensor([i - 1 if i > 0 else -100 for i in index])
    return support, topic


def joint_loss(out: torch.Tensor, support: torch.Tensor, topic: torch.Tensor) -> torch.Tensor:
    """Support BCE plus topic cross-entropy on the requests only."""
    bce = nn.functional.binary_cross_entropy_with_logits(out[:, 0], support)
    ce = (
        nn.functional.cross_entropy(out[:, 1:], topic, ignore_index=-100)
        if (topic >= 0).any()
        else 0.0
    )
    return bce + ce


def fit_linear(
    texts: Sequence[str], labels: Sequence[str], seed: int, epochs: int = 4
) -> HashedLinear:
    """Train the hashed model with sparse Adam and feature dropout, which keeps
    it from leaning on one cue."""
    torch.manual_seed(seed)
    bag = nn.EmbeddingBag(DIM, OUTPUTS, mode="sum", sparse=True)
    nn.init.zeros_(bag.weight)
    bias = nn.Parameter(torch.zeros(OUTPUTS))
    opt_w, opt_b = torch.optim.SparseAdam([bag.weight], lr=0.05), torch.optim.Adam([bias], lr=0.05)
    feats = [np.array(hashed(t)) for t in texts]
    support, topic = targets(labels)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        for batch in torch.randperm(len(texts)).split(256):
            ids, offsets, weights = _bag_batch([feats[i] for i in batch.tolist()], rng)
            out = bag(ids, offsets, per_sample_weights=weights) + bias
            loss = joint_loss(out, support[batch], topic[batch])
            opt_w.zero_grad(), opt_b.zero_grad()
            loss.backward()
            opt_w.step(), opt_b.step()
    return HashedLinear(bag.weight.detach().numpy(), bias.detach().numpy())


def _bag_batch(
    feats: list[np.ndarray], rng: np.random.Generator, keep: float = 0.7
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Flattened ids, offsets and 1/sqrt(n) weights, with a random share of features dropped."""
    kept = [f[rng.random(len(f)) < keep] for f in feats]
    kept = [k if len(k) else f for k, f in zip(kept, feats)]
    sizes = np.array([len(k) for k in kept])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    weights = np.repeat(1.0 / np.sqrt(sizes), sizes)
    return (
        torch.from_numpy(np.concatenate(kept)),
        torch.from_numpy(offsets),
        torch.from_numpy(weights.astype(np.float32)),
    )


def fit_head(embeddings: np.ndarray, labels: Sequence[str], seed: int, epochs: int = 300) -> Head:
    """Train the linear head on fixed embeddings, full batch; weight decay keeps
    it smooth off-distribution."""
    torch.manual_seed(seed)
    layer = nn.Linear(embeddings.shape[1], OUTPUTS)
    opt = torch.optim.AdamW(layer.parameters(), lr=0.05, weight_decay=1e-3)
    x = torch.from_numpy(embeddings)
    support, topic = targets(labels)
    for _ in range(epochs):
        opt.zero_grad()
        joint_loss(layer(x), support, topic).backward()
        opt.step()
    return Head(layer.weight.detach().numpy().T.copy(), layer.bias.detach().numpy())
