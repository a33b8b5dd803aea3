"""The second stage: all-MiniLM-L6-v2 and its trained head as one ONNX graph,
run by onnxruntime (no torch)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# MiniLM with int8 weights and products, mean pooling, and the head (written by `monitor train`)
MODEL_FILE = "minilm.onnx"
# Its weights (export.optimise): read with the graph's own small file, not parsed out of it.
MODEL_DATA_FILE = "minilm.onnx.data"
TOKENIZER_FILE = "tokenizer.json"  # MiniLM's own fast-tokenizer file, copied beside it
# the graph's outputs: the sentence vector, the head's 8 logits
EMBEDDING, LOGITS = "embedding", "logits"
MAX_TOKENS = 128  # longer posts are cut: the first sentences carry the request
# Padded tokens per forward pass. Measured on 2 cores: time per token is flat from 512 to 8,000
# tokens a pass, while the peak memory of a pass grows ~33 MB per 1,000 tokens.
BATCH_TOKENS = 512
# A forward pass costs about as much as 8 more tokens in it (0.74 ms besides 93 us a token, fitted
# on 15 shapes, one thread), so a batch of its own is worth it only where it saves more padding.
PASS_TOKENS = 8
# Texts tokenized at once: the tokenizer's output for 6,000 posts held ~50 MB.
TOKENIZE_GROUP = 512
# onnxruntime's threads for one forward pass. With int8 products, one thread gave 1,800 posts in
# 4.1 s of CPU and two in 6.1 s (3.6 s wall instead of 4.1): the second core serves the detectors,
# the connectors or another scan worker better than it speeds up MiniLM.
THREADS = 1


class MiniLM:
    """Mean-pooled, L2-normalised MiniLM embeddings and the head's
    logits, from a local folder only."""

    def __init__(self, folder: Path, threads: int = THREADS) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # the file pads every text to 128; batches pad to their longest
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        options = session_options(threads)
        self.session = onnxruntime.InferenceSession(
            str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self.outputs = [o.name for o in self.session.get_outputs()]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence embeddings (n, 384)."""
        return self._run(texts, EMBEDDING)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """The head's outputs (n, 8): the support logit, then the seven topic logits."""
        if LOGITS not in self.outputs:
            raise ValueError(f"{MODEL_FILE} has no head: rebuild it with `monitor train`")
        return self._run(texts, LOGITS)

    def _run(self, texts: Sequence[str], output: str) -> np.ndarray:
        """One output for texts, in batches of similar token counts to limit padding."""
        width = self.session.get_outputs()[self.outputs.index(output)].shape[-1]
        out = np.zeros((len(texts), width), dtype=np.float32)
        for start in range(0, len(texts), TOKENIZE_GROUP):
            ids = self._token_ids(texts[start : start + TOKENIZE_GROUP])
            for idx in token_batches([len(row) for row in ids], BATCH_TOKENS):
                out[[start + i for i in idx]] = self._forward([ids[i] for i in idx], output)
        return out

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, cut at MAX_TOKENS."""
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def _forward(self, ids: list[list[int]], output: str) -> np.ndarray:
        """One forward pass over token ids padded to the longest; the mask keeps padding out."""
        input_ids = np.full((len(ids), max(map(len, ids))), self.pad_id, dtype=np.int64)
        mask = np.zeros_like(input_ids)
        for row, tokens in enumerate(ids):
            input_ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        return self.session.run([output], feeds)[0]  # type: ignore[no-any-return]


def session_options(threads: int = THREADS) -> Any:
    """onnxruntime's options for MiniLM: its threads, idle ones asleep, integer products kept."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    # Idle pool threads sleep instead of spinning for work: spinning burnt a core's worth
    # between passes (2 threads: 9.0 ms of CPU a post, 5.3 ms without), the CPU the
    # connectors, detectors and sender need on a small machine. Scores are unchanged.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # warnings about unused initializers are noise in daemon logs
    options.log_severity_level = 3
    # The graph computes its products in integers with a scale per token (export.py). A graph
    # written before that, with int8 weights for float32 products, has its weights folded back
    # to float32 once, at load: left as they are, onnxruntime fuses them into MatMulNBits,
    # which scales activations per batch, so a post's score would depend on its neighbours.
    options.add_session_config_entry("session.disable_quant_qdq", "1")
    return options


def token_batches(
    lengths: Sequence[int], budget: int, pass_tokens: int = PASS_TOKENS
) -> list[list[int]]:
    """Indices shortest first, cut into the batches that cost least in all: each costs its padded
    size (count x longest) and pass_tokens more, and stays within the budget unless it is one text.
    Texts of one length share a batch where the budget allows, so only cuts between two lengths
    are weighed: the fewest tokens for the fewest passes, over every way of grouping them."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    runs = [list(run) for _, run in itertools.groupby(order, key=lengths.__getitem__)]
    best, first = [0], [0]  # the first j runs: their least cost, and where their last cut is
    for j in range(len(runs)):
        filling, choice = _Filling(budget), (0, 0)
        for i in range(j, -1, -1):  # runs i..j batched together, the longest first
            filling.add(len(runs[i]), lengths[runs[i][0]])
            cost = best[i] + filling.tokens + filling.passes * pass_tokens
            if i == j or cost < choice[0]:
                choice = (cost, i)
        best.append(choice[0])
        first.append(choice[1])
    batches: list[list[int]] = []
    j = len(runs)
    while j:
        batches[:0] = _passes([x for run in runs[first[j] : j] for x in run], lengths, budget)
        j = first[j]
    return batches


@dataclass
class _Filling:
    """The padded tokens and passes of texts put into batches longest first, each batch as full as
    the budget allows: what _passes() makes of them, counted without building it."""

    budget: int
    tokens: int = 0
    passes: int = 0
    room: int = 0  # texts the last batch still takes
    width: int = 0  # its longest text, which it pads the others to

    def add(self, count: int, length: int) -> None:
        """count more texts of length tokens, none longer than those added before."""
        joined = min(self.room, count)
        self.tokens += joined * self.width
        self.room -= joined
        count -= joined
        if count:
            per_pass = max(1, self.budget // length)
            new = -(-count // per_pass)
            self.passes += new
            self.tokens += count * length
            self.room, self.width = new * per_pass - count, length


def _passes(indices: list[int], lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Indices (shortest first) cut into batches within the budget, filled from the longest end, so
    that the shortest texts share the last, lightest one."""
    batches: list[list[int]] = []
    end = len(indices)
    while end:
        begin = max(0, end - max(1, budget // lengths[indices[end - 1]]))
        batches.append(indices[begin:end])
        end = begin
    return batches[::-1]
