"""Choose the campaign memory's similarity threshold on texts the project writes itself: the demo
stream's scam posts reworded by `reword` (copies), against the generated support training texts and
the demo stream's other posts (not copies). Prints recall and false positives per threshold."""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re

import numpy as np

from monitor.classify.memory.shingles import informative, minhash, normal_form, similarity
from monitor.resources import data_path

# Rewordings a wave makes: synonyms and slang, fillers, other numbers, links, handles and emoji.
SWAPS = {
    "please": "pls", "you": "u", "your": "ur", "now": "today", "send": "transfer",
    "dm": "message", "contact": "reach", "support": "help", "fast": "quick", "kindly": "please",
    "account": "acct", "verify": "validate", "wallet": "wallet address", "hello": "hi",
    "team": "staff", "withdrawal": "withdraw", "click": "tap", "here": "below", "get": "receive",
    "我们": "我司", "请": "麻烦", "客服": "官方客服", "联系": "添加",
}
FILLERS = ["guys", "really", "just", "100%", "asap", "🚀", "🔥", "!!", "now", "friend", "bro",
           "trust me", "✅", "legit", "真的", "赶紧"]
_NUMBER = re.compile(r"\d+")
_LINK = re.compile(r"\b[\w-]+\.(?:com|io|top|xyz|net|org)\b")
_HANDLE = re.compile(r"@\w+")


def reword(text: str, rng: random.Random, edits: int) -> str:
    """A copy of text with `edits` random rewordings, and new numbers, links and handles."""
    words = text.split()
    for _ in range(edits):
        op, i = rng.randrange(5), rng.randrange(len(words))
        if op == 0:
            words[i] = SWAPS.get(words[i].lower().strip(".,!?"), words[i])
        elif op == 1 and len(words) > 6:
            del words[i]
        elif op == 2:
            words.insert(i, rng.choice(FILLERS))
        elif op == 3 and i + 1 < len(words):
            words[i], words[i + 1] = words[i + 1], words[i]
        else:
            words[i] = words[i].upper() if rng.random() < 0.5 else words[i].lower()
    out = " ".join(words)
    out = _NUMBER.sub(lambda m: str(rng.randrange(10 ** len(m.group(0)))), out)
    out = _LINK.sub(lambda m: f"{m.group(0).split('.')[0]}-{rng.randrange(99)}.top", out)
    return _HANDLE.sub(lambda m: f"@{m.group(0)[1:4]}_{rng.randrange(999)}", out)


def demo_posts() -> tuple[list[str], list[str]]:
    """The demo stream's scam texts and its other texts, informative ones only."""
    scams: list[str] = []
    others: list[str] = []
    for line in data_path("demo", "stream.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if informative(row["text"]):
            scam = any(e["kind"] == "impersonation" for e in row.get("expected", []))
            (scams if scam else others).append(row["text"])
    return scams, others


def generated_texts() -> list[str]:
    """The support model's generated training texts (support requests and chat)."""
    path = data_path("support", "train.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [t for t in (json.loads(line)["text"] for line in f) if informative(t)]


def best(text: str, remembered: list[np.ndarray]) -> float:
    """The highest similarity of a text to any remembered signature."""
    sig = minhash(normal_form(text)).hashvalues
    return max(similarity(sig, r) for r in remembered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=20, help="reworded copies per scam text")
    parser.add_argument("--negatives", type=int, default=5000, help="generated texts sampled")
    parser.add_argument("--seed", type=int, default=24)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    scams, others = demo_posts()
    remembered = [minhash(normal_form(t)).hashvalues for t in scams]
    copies: dict[int, list[float]] = {}
    for edits in (1, 2, 4, 6):
        copies[edits] = [best(reword(t, rng, edits), remembered)
                         for t in scams for _ in range(args.copies)]
    generated = generated_texts()
    negatives = others + rng.sample(generated, min(args.negatives, len(generated)))
    neg = [best(t, remembered) for t in negatives]
    print(f"{len(scams)} scam texts remembered; {args.copies} copies each per edit count; "
          f"{len(negatives)} texts that copy none")
    print(f"{'threshold':>9} " + " ".join(f"{f'recall@{e}':>10}" for e in copies) + "  false pos")
    for t in [x / 20 for x in range(4, 19)]:
        recall = " ".join(f"{sum(s >= t for s in v) / len(v):>10.3f}" for v in copies.values())
        print(f"{t:>9.2f} {recall}  {sum(s >= t for s in neg):>5} / {len(neg)}")


if __name__ == "__main__":
    main()
