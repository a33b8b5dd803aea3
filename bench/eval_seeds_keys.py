"""Measures the seed-phrase and private-key finders on the third-party
eval sets (read, never copied)."""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from monitor.classify import SecretMatch
from monitor.classify.secrets import keys, seeds

Finder = Callable[[str], list[SecretMatch]]
_FIRST_LETTER_RE = re.compile(r"[^\W\d_]")


def seed_formats(phrase: str, lang: str) -> dict[str, tuple[str, str]]:
    """Ways people paste a phrase: name -> (text, the phrase text as it appears in it)."""
    words = phrase.split()
    numbered = "\n".join(f"{i}. {w}" for i, w in enumerate(words, 1))
    out = {
        "plain": (phrase, phrase),
        "commas": (", ".join(words), ", ".join(words)),
        "newlines": ("\n".join(words), "\n".join(words)),
        "numbered_dot": (numbered, numbered),
        "numbered_paren": (" ".join(f"{i}) {w}" for i, w in enumerate(words, 1)),) * 2,
        "numbered_dash": (" ".join(f"{i}-{w}" for i, w in enumerate(words, 1)),) * 2,
        "fullwidth_commas": ("、".join(words), "、".join(words)),
        "sentence": (f"my seed phrase is {phrase} please help", phrase),
    }
    if lang.startswith("chinese"):
        joined = "".join(words)
        out["zh_unspaced"] = (joined, joined)
        out["zh_unspaced_sentence"] = (f"我的助记词是{joined}请帮忙", joined)
        out["zh_unspaced_punct"] = (f"我的助记词是：{joined}，请帮忙看看", joined)
    return out


def covers(matches: list[SecretMatch], text: str, part: str) -> bool:
    """Whether one seed_phrase match with a valid checksum covers the whole phrase in text."""
    end = text.index(part) + len(part)
    first = _FIRST_LETTER_RE.search(part)
    start = end - len(part) + (first.start() if first else 0)  # "1. " may stay outside the span
    return any(
        m.label == "seed_phrase" and m.start <= start and m.end >= end and m.score >= 0.9
        for m in matches
    )


def eval_vectors(eval_dir: Path) -> None:
    """Recall of seeds.find on the BIP39 test vectors, per format."""
    vectors = json.loads((eval_dir / "bip39_trezor_python_mnemonic/vectors.json").read_text())
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for lang, rows in vectors.items():
        for row in rows:
            for name, (text, part) in seed_formats(row[1], lang).items():
                totals[name] += 1
                hits[name] += covers(seeds.find(text), text, part)
    print(
        "## BIP39 vectors (12 languages x 24): recall of a valid-checksum match covering the phrase"
    )
    for name in totals:
        print(
            f"  {name:22} {hits[name]:4}/{totals[name]:4}  {100 * hits[name] / totals[name]:.1f}%"
        )


def eval_edge_cases(eval_dir: Path) -> None:
    """What seeds.find says about each edge case (bad checksum, 11 words, not a phrase)."""
    path = eval_dir / "bip39_trezor_python_mnemonic/mnemonic_edge_cases.csv"
    print("## BIP39 edge cases: case, checksum per upstream -> flagged (score)")
    for row in read_csv(path):
        found = seeds.find(row["text"])
        verdict = f"flagged ({found[0].score})" if found else "not flagged"
        print(f"  {row['case']:32} checksum_valid={row['bip39_checksum_valid']} -> {verdict}")


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts."""
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def ordinary_posts(eval_dir: Path) -> dict[str, list[str]]:
    """Ordinary (non-secret) posts: tweets, Weibo posts and crypto-flavoured X posts."""
    return {
        "tweeteval": [
            r["text"] for r in read_csv(eval_dir / "negatives_tweeteval/tweeteval_test_sample.csv")
        ],
        "weibo": [
            r["text"]
            for r in read_csv(eval_dir / "negatives_zh_weibo_senti_subset/weibo_senti_subset.csv")
        ],
        "janitr_x": [
            r["text"]
            for r in read_csv(
                eval_dir / "scam_x_posts_janitr_internetcondom/janitr_sample_labeled.csv"
            )
        ],
    }


def eval_false_positives(eval_dir: Path) -> None:
    """Share of ordinary posts flagged by each finder, and throughput."""
    print("## Ordinary posts: flagged (false positives) and speed")
    for name, posts in ordinary_posts(eval_dir).items():
        for finder_name, finder in (("seeds", seeds.find), ("keys", keys.find)):
            t0 = time.perf_counter()
            flagged = sum(bool(finder(p)) for p in posts)
            rate = len(posts) / (time.perf_counter() - t0)
            pct = 100 * flagged / len(posts)
            print(
                f"  {name:10} {finder_name:6} {flagged:3}/{len(posts):5} "
                f"= {pct:.2f}%   {rate:,.0f} posts/s"
            )


def key_sentence(kind: str, value: str) -> str | None:
    """The sentence that gives a value the context its labelled kind implies (None: no context)."""
    kind = kind.lower()
    for word, template in (
        ("public", "my public key {v}"),
        ("seed", "seed {v}"),
        ("private", "my private key is {v}"),
        ("address", "my address {v}"),
        ("hash_sig_or_tx", "tx hash {v}"),
        ("signature", "signature {v}"),
    ):
        if word in kind:
            return template.format(v=value)
    return None


def tally(rows: Iterable[dict[str, str]], title: str) -> None:
    """Per kind: share flagged as a private key, bare, in its own context, and in key context."""
    table: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        if "mnemonic" in row["kind"] or "passphrase" in row["kind"]:
            continue  # seed phrases and passphrases belong to other finders
        v = row["value"]
        own = key_sentence(row["kind"], v)
        cells = table.setdefault((row["kind"], row["is_secret"]), [0, 0, 0, 0])
        cells[0] += 1
        cells[1] += bool(keys.find(v))
        cells[2] += bool(keys.find(own)) if own else bool(keys.find(v))
        cells[3] += bool(keys.find(f"my private key is {v}"))
    print(f"## {title}: flagged as private_key (bare | own context | 'my private key is ...')")
    for (kind, secret), (n, bare, in_own, forced) in sorted(table.items()):
        print(f"  {kind:30} is_secret={secret}  n={n:3}  {bare:3} | {in_own:3} | {forced:3}")


def eval_keys(eval_dir: Path) -> None:
    """Private-key recall and false positives on the key/address/signature vector sets."""
    tally(
        read_csv(eval_dir / "bitcoin_bips_key_vectors/bip_key_and_address_vectors.csv"),
        "BIP vectors",
    )
    wif = eval_dir / "bitcoin_wif_signmessage_python_bitcoinlib/wif_address_signature_labeled.csv"
    tally(read_csv(wif), "python-bitcoinlib signmessage")
    okx = eval_dir / "secrets_okx_js_wallet_sdk_test_vectors/okx_wallet_sdk_test_strings.csv"
    okx_rows = read_csv(okx)
    tally(okx_rows, "OKX js-wallet-sdk strings")
    mnemonics = [r for r in okx_rows if r["kind"] == "mnemonic"]
    flagged = sum(bool(seeds.find(r["value"])) for r in mnemonics)
    print(f"## OKX mnemonic strings flagged by seeds.find: {flagged}/{len(mnemonics)}")


def main() -> None:
    """Parse the eval directory argument and print every figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("eval_dir", nargs="?", default="../shared/eval", type=Path)
    eval_dir = parser.parse_args().eval_dir
    eval_vectors(eval_dir)
    eval_edge_cases(eval_dir)
    eval_keys(eval_dir)
    eval_false_positives(eval_dir)


if __name__ == "__main__":
    main()
