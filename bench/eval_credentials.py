"""Measures the exchange, token and password finders on the third-party eval sets (read-only)."""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from monitor.classify import find_secrets
from monitor.classify.secrets import exchange, passwords, tokens

# Only this task's finders, so the figures do not depend on the seed and key finders.
FINDERS = (exchange.find, tokens.find, passwords.find)

YELP_DETECTORS = {
    "telegram_token",
    "discord",
    "jwt",
    "keyword",
    "aws_key",
    "github_token",
    "gitlab_token",
    "slack",
    "stripe_key",
    "openai",
    "npm",
    "sendgrid",
    "twilio",
    "private_key",
    "pypi_token",
}
GITLEAKS_TP_FILES = {
    "github.go",
    "gitlab.go",
    "slack.go",
    "jwt.go",
    "aws.go",
    "stripe.go",
    "discord.go",
    "privatekey.go",
    "gcp.go",
    "anthropic.go",
}
# Trufflehog detectors we cover: exchanges get a context sentence, tokens are posted bare.
TRUFFLEHOG_EXCHANGES = {
    "kraken": "Kraken",
    "kucoin": "KuCoin",
    "poloniex": "Poloniex",
    "luno": "Luno",
}
TRUFFLEHOG_TOKENS = {
    "telegrambottoken",
    "slack",
    "stripe",
    "sendgrid",
    "npmtokenv2",
    "twilioapikey",
    "googlegemini",
}

Row = tuple[str, str, bool]  # (group, text, is_secret)


def flagged(text: str) -> bool:
    """True when any finder reports a secret scoring 0.5 or more."""
    return any(m.score >= 0.5 for m in find_secrets(text, FINDERS))


def read_csv(path: Path) -> list[dict[str, str]]:
    """All rows of a CSV file as dicts."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def yelp_rows(root: Path) -> Iterator[Row]:
    """detect-secrets plugin cases for the detectors this task covers (code-style lines)."""
    for r in read_csv(root / "secrets_detect_secrets_yelp/detect_secrets_plugin_cases.csv"):
        det = r["detector"]
        if det == "keyword":  # split: passwords.py claims password lines only
            det = "keyword/password" if "pass" in r["text"].lower() else "keyword/other"
        if r["detector"] in YELP_DETECTORS:
            yield det, r["text"], r["is_secret"] == "1"


def gitleaks_rows(root: Path) -> Iterator[Row]:
    """gitleaks false-positive rows (all rules) and true-positive rows for covered rules."""
    for r in read_csv(root / "secrets_gitleaks_rules/gitleaks_rule_tps_fps.csv"):
        if r["kind"] == "fps":
            yield "fps (all rules)", r["text"], False
        elif r["rule_file"] in GITLEAKS_TP_FILES:
            yield f"tps {r['rule_file']}", r["text"], True


def binance_rows(root: Path) -> Iterator[Row]:
    """Binance doc values: keys/secrets wrapped in an API sentence, signatures bare and labelled."""
    for r in read_csv(root / "secrets_exchange_api_docs/binance_docs_key_examples.csv"):
        v, kind = r["value"], r["kind"]
        if kind == "exchange_api_key":
            yield "binance key (in sentence)", f"my binance api key is {v}", True
        elif kind == "exchange_api_secret":
            yield "binance secret (in sentence)", f"binance secret key: {v}", True
        elif kind == "pem_private_key_header":
            yield "pem header only", r["context"], True
        else:
            yield f"{kind} bare", v, False
            yield f"{kind} signature={{v}}", f"signature={v}", False
            yield f"{kind} api sentence", f"my binance api request signature: {v}", False


def okx_rows(root: Path) -> Iterator[Row]:
    """OKX doc values: masked key/passphrase and signatures must not
    flag; the secret example must."""
    for r in read_csv(root / "secrets_exchange_api_docs/okx_docs_key_examples.csv"):
        header = r["context"].split()[0].rstrip(":")  # e.g. OK-ACCESS-KEY, as sent in a request
        text = r["context"] if r["is_secret"] == "1" else f"{header}: {r['value']}"
        yield f"okx {r['kind']}", text, r["is_secret"] == "1"


def trufflehog_rows(root: Path) -> Iterator[Row]:
    """trufflehog format_valid patterns for exchange and token detectors."""
    for r in read_csv(
        root / "secrets_trufflehog_detector_patterns/trufflehog_detector_test_patterns.csv"
    ):
        det, value, valid = r["detector"], r["value"].strip(), r["format_valid"] == "1"
        if det in TRUFFLEHOG_EXCHANGES:
            var = r["var"].lower()
            role = (
                "passphrase:"
                if "passphrase" in var
                else "api secret:"
                if "secret" in var
                else "api key:"
            )
            yield f"{det}", f"my {TRUFFLEHOG_EXCHANGES[det]} {role} {value}", valid
        elif det in TRUFFLEHOG_TOKENS:
            yield f"{det}", f"here it is {value} thanks", valid


def negative_rows(root: Path) -> Iterator[Row]:
    """Ordinary posts: tweets, Weibo posts and crypto X posts (all should not flag)."""
    sets = {
        "tweeteval": "negatives_tweeteval/tweeteval_test_sample.csv",
        "weibo": "negatives_zh_weibo_senti_subset/weibo_senti_subset.csv",
        "janitr x posts": "scam_x_posts_janitr_internetcondom/janitr_sample_labeled.csv",
    }
    for name, rel in sets.items():
        for r in read_csv(root / rel):
            yield name, r["text"], False


def report(title: str, rows: Iterable[Row]) -> None:
    """Print recall over positives and false-positive rate over negatives, per group."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # tp, pos, fp, neg
    for group, text, is_secret in rows:
        c = counts[group]
        hit = flagged(text)
        c[0 if is_secret else 2] += hit
        c[1 if is_secret else 3] += 1
    print(f"\n== {title}")
    total = [0, 0, 0, 0]
    for group, c in sorted(counts.items()):
        total = [a + b for a, b in zip(total, c)]
        print(f"  {group:42} {_rates(c)}")
    print(f"  {'ALL':42} {_rates(total)}")


def _rates(c: list[int]) -> str:
    """Formatted 'recall a/b  FP c/d' for one counter."""
    recall = f"recall {c[0]}/{c[1]} = {c[0] / c[1]:.1%}" if c[1] else ""
    fp = f"FP {c[2]}/{c[3]} = {c[2] / c[3]:.2%}" if c[3] else ""
    return f"{recall:28} {fp}"


def throughput(root: Path) -> None:
    """Posts per second for the three finders on the tweet sample (one core)."""
    texts = [r["text"] for r in read_csv(root / "negatives_tweeteval/tweeteval_test_sample.csv")]
    start = time.perf_counter()
    for text in texts:
        find_secrets(text, FINDERS)
    elapsed = time.perf_counter() - start
    print(
        f"\n== speed: {len(texts) / elapsed:,.0f} posts/s "
        f"({elapsed / len(texts) * 1e6:.0f} µs/post)"
    )


def main(argv: list[str] | None = None) -> None:
    """Run every measurement on the eval directory given (default ../shared/eval)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("eval_dir", nargs="?", default="../shared/eval", type=Path)
    root = parser.parse_args(argv).eval_dir
    if not root.is_dir():
        sys.exit(f"eval directory not found: {root}")
    report("detect-secrets plugin cases (code-style lines)", yelp_rows(root))
    report("gitleaks rule examples", gitleaks_rows(root))
    report("Binance API docs", binance_rows(root))
    report("OKX API docs", okx_rows(root))
    report("trufflehog detector patterns", trufflehog_rows(root))
    report("ordinary posts (negatives)", negative_rows(root))
    throughput(root)


if __name__ == "__main__":
    main()
