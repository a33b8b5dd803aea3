"""The MiniLM head's real-row weight, chosen without the test halves: 2-fold cross-validation on
the dev halves' real rows (banking77, CLINC150). Each fold trains the whole model without one half
of them and measures it on that half: topic accuracy on its requests, support accuracy on all.

Usage: python bench/head_cv.py EVAL_DIR [--repeats 1 2 3] (needs the train extra; ~1 min a model)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

from monitor.classify.support.classifier import SupportDetector
from monitor.cli.train import train
from monitor.evalsets.support import training_rows

FOLDS = 2


def fold(text: str) -> int:
    """A text's fold, from a hash of it (a salt of its own: not the dev/test split's)."""
    return zlib.crc32(("cv:" + text).encode()) % FOLDS


def outside(k: int) -> Callable[[str], bool]:
    """Whether a text is outside fold k (so trained on when fold k is measured)."""
    return lambda text: fold(text) != k


def measure(model_dir: Path, rows: list[tuple[str, str]]) -> tuple[float, float]:
    """Topic accuracy on the requests among rows, support accuracy on all of them."""
    verdicts = SupportDetector(model_dir).predict([text for text, _ in rows])
    requests = [(label, v) for (_, label), v in zip(rows, verdicts) if label != "not_support"]
    topic = sum(v.topic == label for label, v in requests) / len(requests)
    support = sum((v.score >= 0.5) == (label != "not_support")
                  for (_, label), v in zip(rows, verdicts)) / len(rows)
    return topic, support


def main(argv: list[str] | None = None) -> int:
    """Train and measure each repeat count on each fold; print the folds and their mean."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dir", type=Path)
    parser.add_argument("--repeats", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    rows = list(training_rows(args.eval_dir))
    for repeats in args.repeats:
        figures = []
        for k in range(FOLDS):
            with tempfile.TemporaryDirectory() as tmp:
                train(Path(tmp), 0, args.eval_dir, repeats, keep=outside(k))
                figures.append(measure(Path(tmp), [r for r in rows if fold(r[0]) == k]))
        topics, supports = zip(*figures)
        print(f"real rows x{repeats}: topic accuracy {' '.join(f'{t:.4f}' for t in topics)} "
              f"(mean {sum(topics) / FOLDS:.3f}), support accuracy "
              f"{' '.join(f'{s:.4f}' for s in supports)} (mean {sum(supports) / FOLDS:.3f})",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
