"""`monitor eval-convert`: third-party eval sets (read from a path, never shipped) → Post JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from monitor.evalsets import scanners, secrets, social, support
from monitor.evalsets.common import Post

DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[3] / "shared" / "eval"


@dataclass(frozen=True, slots=True)
class EvalSet:
    """One converter and the line `--list` shows for it."""

    convert: Callable[[Path], Iterator[Post]]
    about: str


SETS: dict[str, EvalSet] = {
    "bip39_vectors": EvalSet(
        secrets.bip39_vectors,
        "Trezor BIP39 phrases, 12 languages x plain/numbered/"
        "comma/unspaced-zh/in-sentence; English xprv + seed hex wrapped in a sentence",
    ),
    "mnemonic_edge_cases": EvalSet(
        secrets.mnemonic_edge_cases,
        "dev phrases, bad checksum and 11-word phrases (leaks), one non-phrase sentence; bare",
    ),
    "bip_key_vectors": EvalSet(
        secrets.bip_key_vectors,
        "BIP32/38/84/86/173 keys (leak) vs xpubs, "
        "addresses, pubkeys, BIP38 codes; wrapped in a sentence per kind",
    ),
    "wif_signmessage": EvalSet(
        secrets.wif_signmessage,
        "python-bitcoinlib WIF keys (leak) vs their addresses and base64 signatures; wrapped",
    ),
    "okx_wallet_sdk": EvalSet(
        secrets.okx_wallet_sdk,
        "OKX js-wallet-sdk private keys and mnemonics (leak) "
        "vs addresses, pubkeys, tx hashes, 21 chains; wrapped",
    ),
    "binance_docs_keys": EvalSet(
        secrets.binance_docs_keys,
        "Binance doc API keys/secret (leak) vs request signatures; wrapped",
    ),
    "okx_docs_keys": EvalSet(
        secrets.okx_docs_keys,
        "OKX doc secret-key example (leak) vs masked key, masked passphrase, signature; wrapped",
    ),
    "detect_secrets_cases": EvalSet(
        scanners.detect_secrets_cases,
        "detect-secrets plugin test lines (should_flag = leak; public IPs never), verbatim",
    ),
    "gitleaks_cases": EvalSet(
        scanners.gitleaks_cases, "gitleaks rule tps (leak) and fps ([]), verbatim"
    ),
    "banking77": EvalSet(
        support.banking77,
        "banking77 test queries: support requests, topic via the SUGGESTED mapping",
    ),
    "clinc150": EvalSet(
        support.clinc150,
        "CLINC150 test+oos: banking domain = support request, other domains and out-of-scope = []",
    ),
    "twcs_inbound": EvalSet(
        support.twcs_inbound, "customers' tweets to brand support: support requests, topic unknown"
    ),
    "afqmc": EvalSet(
        support.afqmc, "AFQMC Alipay customer questions (zh): support requests, topic unknown"
    ),
    "janitr": EvalSet(social.janitr, "Janitr X posts: is_scam = impersonation, others = []"),
    "tg_spam_en": EvalSet(
        social.tg_spam_en,
        "tg-spam English rows: spam (crypto scam lures) = impersonation, ham = []",
    ),
    "twcs_agents": EvalSet(
        social.twcs_agents,
        "other brands' genuine support agents: official-looking hard negatives ([])",
    ),
    "telecom_fraud_zh_semisynthetic": EvalSet(
        social.telecom_fraud_zh_semisynthetic,
        "SEMI-SYNTHETIC "
        "(model-written) zh fake customer service = impersonation, "
        "normal = []; sanity check only",
    ),
    "tweeteval": EvalSet(social.tweeteval, "ordinary tweets: [] for every kind"),
    "weibo": EvalSet(social.weibo, "ordinary Chinese Weibo posts: [] for every kind"),
}
SECRET_SETS = (
    "bip39_vectors",
    "mnemonic_edge_cases",
    "bip_key_vectors",
    "wif_signmessage",
    "okx_wallet_sdk",
    "binance_docs_keys",
    "okx_docs_keys",
    "detect_secrets_cases",
    "gitleaks_cases",
)


def convert(name: str, eval_dir: Path) -> Iterator[Post]:
    """The labelled posts of one set; rows with an empty text are left out (a post needs text)."""
    return (obj for obj in SETS[name].convert(eval_dir) if obj["text"].strip())


def list_sets(out: TextIO) -> int:
    """One line per set: its name and what it holds."""
    width = max(map(len, SETS))
    out.writelines(f"{name:<{width}}  {entry.about}\n" for name, entry in SETS.items())
    return 0


def run_convert(name: str, eval_dir: Path, out: TextIO) -> int:
    """Write one set as Post JSON lines; exit code 2 (one line on stderr) when it cannot be read."""
    if name not in SETS:
        print(f"monitor: error: unknown eval set '{name}' (see --list)", file=sys.stderr)
        return 2
    count = 0
    try:
        for obj in convert(name, eval_dir):
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
            count += 1
    except FileNotFoundError as exc:
        print(
            f"monitor: error: {name}: {exc.filename}: file not found (--eval-dir?)", file=sys.stderr
        )
        return 2
    except (KeyError, ValueError) as exc:
        print(f"monitor: error: {name}: unexpected data in {eval_dir}: {exc!r}", file=sys.stderr)
        return 2
    print(f"{name}: {count} posts", file=sys.stderr)
    return 0
