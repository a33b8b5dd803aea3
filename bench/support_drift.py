"""Score drift of the ONNX MiniLM stage (int8 weights and products, onnxruntime) against the same
model in torch (float32 weights, transformers), the head the same, on the eval sets. Needs the
train extra.

Usage: python bench/support_drift.py EVAL_DIR [--split dev|test|all]
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

import numpy as np
from eval_support import SETS, THRESHOLD, in_split, prf

from monitor.classify import DEFAULT_MODEL_DIR, MODEL_FILE, SupportDetector
from monitor.classify.support.classifier import Verdict
from monitor.classify.support.encoder import MAX_TOKENS


class TorchMiniLM:
    """all-MiniLM-L6-v2 in float32 through transformers, with the head taken from the ONNX graph:
    what the detector would score if the encoder had not been exported."""

    def __init__(self, model_dir: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import onnx
        import torch
        from onnx import numpy_helper
        from transformers import AutoModel, AutoTokenizer

        from monitor.classify.support.export import _Pooled, default_source

        torch.set_num_threads(2)
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(default_source(), local_files_only=True)
        bert = AutoModel.from_pretrained(default_source(), local_files_only=True)
        self.model = _Pooled(bert.eval())
        inits = {i.name: i for i in onnx.load(str(model_dir / MODEL_FILE)).graph.initializer}
        self.weights = numpy_helper.to_array(inits["head_weights"])
        self.bias = numpy_helper.to_array(inits["head_bias"])

    def submit(self, texts: Sequence[str]) -> Future[np.ndarray]:
        """Logits now, as a settled future (the detector's encoder interface)."""
        future: Future[np.ndarray] = Future()
        future.set_result(self.embed(texts) @ self.weights + self.bias)
        return future

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings, 32 texts a pass."""
        rows = []
        for start in range(0, len(texts), 32):
            batch = self.tokenizer(
                list(texts[start : start + 32]),
                truncation=True,
                max_length=MAX_TOKENS,
                padding=True,
                return_tensors="pt",
            )
            with self.torch.inference_mode():
                rows.append(self.model(batch["input_ids"], batch["attention_mask"]).numpy())
        return np.vstack(rows) if rows else np.zeros((0, 384), np.float32)


def main() -> None:
    """Score every row both ways; print the drift and each way's figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--split", choices=("dev", "test", "all"), default="test")
    args = ap.parse_args()
    rows = [r for load in SETS for r in load(args.eval_dir) if in_split(r.text, args.split)]
    texts = [r.text for r in rows]
    onnx_detector = SupportDetector()
    torch_detector = SupportDetector()
    torch_detector.encoder = TorchMiniLM(DEFAULT_MODEL_DIR)  # type: ignore[assignment]
    new, old = onnx_detector.predict(texts), torch_detector.predict(texts)
    report(rows, new, old)


def report(rows: list, new: list[Verdict], old: list[Verdict]) -> None:
    """Drift over the rows MiniLM saw, decisions that changed, and F1 both ways."""
    deep = [i for i, v in enumerate(new) if "MiniLM" in v.stage]
    drift = np.array([abs(new[i].score - old[i].score) for i in deep])
    flips = sum((new[i].score >= THRESHOLD) != (old[i].score >= THRESHOLD) for i in deep)
    topics = sum(new[i].topic != old[i].topic for i in deep)
    print(f"rows {len(rows)}, through MiniLM {len(deep)}")
    print(
        f"score drift: mean {drift.mean():.4f}, p99 {np.percentile(drift, 99):.4f}, "
        f"max {drift.max():.4f}; decisions flipped at {THRESHOLD}: {flips}; topics "
        f"changed: {topics}"
    )
    for lang in ("en", "zh"):
        idx = [i for i, r in enumerate(rows) if r.lang == lang]
        gold = [rows[i].support for i in idx]
        for name, verdicts in (("torch", old), ("onnx", new)):
            p, r, f = prf(gold, [verdicts[i].score >= THRESHOLD for i in idx])
            print(f"{lang} {name:5s}: P={p:.3f} R={r:.3f} F1={f:.3f} (n={len(idx)})")


if __name__ == "__main__":
    main()
