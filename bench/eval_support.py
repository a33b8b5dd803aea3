"""Measure the support classifier on the third-party eval sets: support-vs-not P/R/F1 per
language, topic accuracy per set.

Usage: python bench/eval_support.py [EVAL_DIR] [--split dev|test|all] [--stage cheap|full]
[--errors N] [--speed N] Rows split by a hash of their text: `dev` is the half looked at while
building, `test` the held-out half.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from procmem import tree_peak_mib

from monitor.classify import SupportDetector
from monitor.core.models import Author, Post
from monitor.evalsets.support import BANKING77_TOPICS, dev_half

# The flag line: the config's default support_request threshold,
# where the scores are calibrated to cut.
THRESHOLD = 0.5

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "trustpilot_gold.csv"


@dataclass(frozen=True, slots=True)
class Row:
    """One eval text: which set, language, whether it is a support
    request, and its topic if known."""

    set: str
    lang: str
    text: str
    support: bool
    topic: str | None = None


def read(path: Path) -> list[dict[str, str]]:
    """CSV rows as dicts."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def banking77(root: Path) -> Iterator[Row]:
    """Banking77 test: all support requests; topic where the suggested mapping names one."""
    folder = root / "support_banking77"
    mapping = {
        r["banking77_category"]: BANKING77_TOPICS[r["suggested_monitor_label"].split("/")[1]]
        for r in read(folder / "banking77_to_monitor_mapping_SUGGESTED.csv")
    }
    for r in read(folder / "test.csv"):
        yield Row("banking77", "en", r["text"], True, mapping.get(r["category"]))


def clinc150(root: Path) -> Iterator[Row]:
    """CLINC150: banking domain as requests, out-of-scope and
    non-finance domains as non-requests."""
    for r in read(root / "support_clinc150" / "clinc150_test_plus_oos_test.csv"):
        if r["domain"] in ("banking", "oos"):
            yield Row("clinc150_banking_vs_oos", "en", r["text"], r["domain"] == "banking")
        # card questions are finance support too: left out rather than guessed
        elif r["domain"] != "credit_cards":
            yield Row("clinc150_other_domains", "en", r["text"], False)


def twcs(root: Path) -> Iterator[Row]:
    """Customer tweets to brands (inbound rows only) as requests."""
    for r in read(root / "support_twcs_sample" / "twcs_sample.csv"):
        if r["inbound"] == "True":
            yield Row("twcs_inbound", "en", r["text"], True)


def tweeteval(root: Path) -> Iterator[Row]:
    """Ordinary tweets as non-requests."""
    for r in read(root / "negatives_tweeteval" / "tweeteval_test_sample.csv"):
        yield Row("tweeteval", "en", r["text"], False)


def afqmc(root: Path) -> Iterator[Row]:
    """Alipay customer-service questions as Chinese requests."""
    for r in read(root / "support_zh_afqmc" / "afqmc_dev_unique_questions.csv"):
        yield Row("afqmc", "zh", r["text"], True)


def weibo(root: Path) -> Iterator[Row]:
    """Ordinary Weibo posts as Chinese non-requests."""
    for r in read(root / "negatives_zh_weibo_senti_subset" / "weibo_senti_subset.csv"):
        yield Row("weibo", "zh", r["text"], False)


def trustpilot(root: Path) -> Iterator[Row]:
    """Our hand-labelled Binance Trustpilot reviews: text from the eval
    set, labels from the gold file."""
    texts = {
        r["id"]: r["text"]
        for r in read(
            root / "support_binance_trustpilot_reviews" / "binance_trustpilot_reviews.csv"
        )
    }
    for r in read(GOLD) if GOLD.exists() else []:
        label = r["label"]
        yield Row(
            "trustpilot_gold",
            "en",
            texts[r["id"]],
            label != "not_support",
            None if label == "not_support" else label,
        )


SETS = (banking77, clinc150, twcs, tweeteval, afqmc, weibo, trustpilot)


def in_split(text: str, split: str) -> bool:
    """Stable half of the rows: even hash = dev (the half `monitor train --eval-dir` may learn
    from), odd = test."""
    return split == "all" or dev_half(text) == (split == "dev")


def prf(gold: list[bool], pred: list[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class."""
    tp = sum(g and p for g, p in zip(gold, pred))
    prec = tp / max(1, sum(pred))
    rec = tp / max(1, sum(gold))
    return prec, rec, 2 * prec * rec / max(1e-9, prec + rec)


def report(rows: list[Row], verdicts: list, threshold: float, errors: int) -> None:
    """Print per-language P/R/F1, per-set flag rate and topic accuracy, and some errors."""
    for lang in ("en", "zh"):
        idx = [i for i, r in enumerate(rows) if r.lang == lang]
        p, r, f = prf([rows[i].support for i in idx], [verdicts[i].score >= threshold for i in idx])
        print(f"{lang}: support-vs-not P={p:.3f} R={r:.3f} F1={f:.3f} (n={len(idx)})")
    for name in dict.fromkeys(r.set for r in rows):
        idx = [i for i, r in enumerate(rows) if r.set == name]
        flagged = sum(verdicts[i].score >= threshold for i in idx)
        correct = sum((verdicts[i].score >= threshold) == rows[i].support for i in idx)
        line = (
            f"  {name:26s} n={len(idx):5d} flagged={flagged / len(idx):.3f} "
            f"correct={correct / len(idx):.3f}"
        )
        topical = [i for i in idx if rows[i].topic]
        if topical:
            acc = sum(verdicts[i].topic == rows[i].topic for i in topical) / len(topical)
            line += f" topic_acc={acc:.3f} (n={len(topical)})"
        if 0 < sum(rows[i].support for i in idx) < len(idx):
            gold, pred = (
                [rows[i].support for i in idx],
                [verdicts[i].score >= threshold for i in idx],
            )
            line += " P={:.3f} R={:.3f} F1={:.3f}".format(*prf(gold, pred))
        print(line)
    wrong = [i for i, r in enumerate(rows) if (verdicts[i].score >= threshold) != r.support]
    wrong += [
        i for i, r in enumerate(rows) if r.topic and r.support and verdicts[i].topic != r.topic
    ]
    for i in wrong[:: max(1, len(wrong) // errors)][:errors] if errors else []:
        v = verdicts[i]
        print(
            f"  ERR {rows[i].set} gold={rows[i].topic or rows[i].support} "
            f"got={v.topic}:{v.score:.2f} {rows[i].text[:110]!r}"
        )


def main() -> None:
    """Parse arguments, score every row, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("eval_dir", nargs="?", default="../shared/eval", type=Path)
    ap.add_argument("--split", choices=("dev", "test", "all"), default="test")
    ap.add_argument("--stage", choices=("cheap", "full"), default="full")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--errors", type=int, default=0)
    ap.add_argument(
        "--speed",
        type=int,
        default=0,
        help="also time check_many() in chunks of 64 on N shuffled rows",
    )
    args = ap.parse_args()
    detector = SupportDetector(args.model, use_encoder=args.stage == "full")
    rows = [r for load in SETS for r in load(args.eval_dir) if in_split(r.text, args.split)]
    if args.speed:  # first, so that peak RSS is that of scan-style use
        speed(detector, rows, args.speed)
    start = time.perf_counter()
    verdicts = detector.predict([r.text for r in rows])
    elapsed = time.perf_counter() - start
    stages = Counter(v.stage for v in verdicts)
    print(
        f"split={args.split} stage={args.stage} rows={len(rows)} {len(rows) / elapsed:.0f} "
        f"texts/s, stages {dict(stages)}"
    )
    report(rows, verdicts, THRESHOLD, args.errors)


def speed(detector: SupportDetector, rows: list[Row], count: int) -> None:
    """Posts per second through check_many() in chunks of 64, and the peak RSS of this
    process with its MiniLM process (`monitor scan` also starts chunks ahead:
    bench/throughput.py measures that)."""
    stream = random.Random(0).sample(rows, min(count, len(rows)))
    author = Author(platform="twitter", id="1", handle="someone")
    posts = [
        Post(platform="twitter", id=str(i), author=author, text=r.text)
        for i, r in enumerate(stream)
    ]
    start = time.perf_counter()
    chunks = [posts[i : i + 64] for i in range(0, len(posts), 64)]
    flagged = sum(bool(found) for chunk in chunks for found in detector.check_many(chunk))
    rate = len(posts) / (time.perf_counter() - start)
    rss = tree_peak_mib(os.getpid())
    print(
        f"check_many(): {rate:.0f} posts/s over {len(posts)} posts ({flagged} flagged), peak "
        f"RSS {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
