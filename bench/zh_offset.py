"""The Chinese logit offset by its rule: the highest offset (lowest raw cut) that keeps Weibo false
positives at or under 3% on the dev half. Run after `monitor train`; put the result in
monitor/cli/train.py's OFFSETS and the model's meta.json, then measure the test half.

Usage: python bench/zh_offset.py EVAL_DIR [--model DIR]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from eval_support import afqmc, in_split, prf, weibo

from monitor.classify import SupportDetector

MAX_WEIBO_FP = 0.03


def main() -> None:
    """Score the dev half's Weibo and Alipay rows with the n-gram stage and print the offset."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--model", type=Path, default=None)
    args = ap.parse_args()
    linear = SupportDetector(args.model, use_encoder=False).linear
    rows = [r for load in (weibo, afqmc) for r in load(args.eval_dir) if in_split(r.text, "dev")]
    raw = [linear.scores(r.text).support for r in rows]
    negatives = sorted((p for p, r in zip(raw, rows) if not r.support), reverse=True)
    allowed = math.floor(MAX_WEIBO_FP * len(negatives))
    cut = negatives[allowed]  # flags are scores above the cut: `allowed` of them at most
    offset = math.floor(-math.log(cut / (1 - cut)) * 100) / 100  # rounded towards fewer flags
    flagged = [p * math.exp(offset) / (1 - p + p * math.exp(offset)) >= 0.5 for p in raw]
    fp = sum(f for f, r in zip(flagged, rows) if not r.support) / len(negatives)
    p, r, f = prf([r.support for r in rows], flagged)
    print(
        f"offset {offset:.2f}: dev Weibo false positives {fp:.3f}, zh P={p:.3f} R={r:.3f} "
        f"F1={f:.3f}"
    )


if __name__ == "__main__":
    main()
