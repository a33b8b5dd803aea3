"""Converters for the support-request eval sets: banking77, CLINC150, TWCS inbound, AFQMC."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

from monitor.evalsets.common import Post, expect, post, read_csv

PLATFORM = "telegram"  # chat-style customer questions (not tweets)
SUPPORT = "support_request"

# The SUGGESTED mapping's targets → our topics. Categories it leaves out are card-product
# questions (card_*, atm_support, top_up_by_*_charge, ...), which its note maps to other.
BANKING77_TOPICS = {
    "withdrawal_not_arrived": "withdrawal",
    "deposit_not_arrived": "deposit",
    "login_2fa": "login",
    "kyc": "kyc",
    "trading": "trading",
    "other": "other",
}


def banking77_topics(root: Path) -> dict[str, str]:
    """banking77 category → our support topic, from the set's SUGGESTED mapping file."""
    path = root / "support_banking77/banking77_to_monitor_mapping_SUGGESTED.csv"
    topics = {}
    for r in read_csv(path):
        target = r["suggested_monitor_label"].removeprefix("support/")
        topics[r["banking77_category"]] = BANKING77_TOPICS[target]
    return topics


def banking77(root: Path) -> Iterator[Post]:
    """banking77 test queries: all support requests, topic via the SUGGESTED mapping, else other."""
    topics = banking77_topics(root)
    for i, r in enumerate(read_csv(root / "support_banking77/test.csv")):
        topic = topics.get(r["category"], "other")
        yield post("banking77", i, r["text"], expect(SUPPORT, topic), PLATFORM, group=r["category"])


# CLINC150 banking intents with an obvious topic of ours; every other banking intent (balance,
# transactions, bills, interest, routing, checks, fraud reports, freezing or moving money between
# one's own accounts) is a support request on topic "other".
_CLINC_TOPICS = {
    "account_blocked": "login",  # "why is my bank account locked", "how do I unlock my account"
    "pin_change": "login",  # forgotten or changed PIN: an access credential
}


def clinc_expected(domain: str, intent: str) -> list[dict[str, str | None]]:
    """Banking domain → a support request; credit cards, other domains and out-of-scope → []."""
    if domain != "banking":
        return []
    return expect(SUPPORT, _CLINC_TOPICS.get(intent, "other"))


def clinc150(root: Path) -> Iterator[Post]:
    """CLINC150 test + out-of-scope test queries."""
    path = root / "support_clinc150/clinc150_test_plus_oos_test.csv"
    for i, r in enumerate(read_csv(path)):
        yield post(
            "clinc150",
            i,
            r["text"],
            clinc_expected(r["domain"], r["intent"]),
            PLATFORM,
            group=r["domain"],
        )


def twcs_inbound(root: Path) -> Iterator[Post]:
    """Customers' tweets to brands' support accounts: support requests of unknown topic."""
    for i, r in enumerate(read_csv(root / "support_twcs_sample/twcs_sample.csv")):
        if r["inbound"] == "True":
            yield post(
                "twcs_inbound", i, r["text"], expect(SUPPORT), handle=f"user{r['author_id']}"
            )


def afqmc(root: Path) -> Iterator[Post]:
    """AFQMC Alipay customer-service questions (Chinese): support requests of unknown topic."""
    for i, r in enumerate(read_csv(root / "support_zh_afqmc/afqmc_dev_unique_questions.csv")):
        yield post("afqmc", i, r["text"], expect(SUPPORT), PLATFORM)


# Licences of the sets `monitor train --eval-dir` may learn from (their dev halves only).
TRAINING_SETS = {
    "banking77": "CC-BY-4.0; PolyAI, Casanueva et al. 2020, 'Efficient Intent Detection with Dual "
    "Sentence Encoders' (PolyAI-LDN/task-specific-datasets)",
    "clinc150": "CC-BY-3.0; Larson et al. 2019, 'An Evaluation Dataset for Intent Classification "
    "and "
    "Out-of-Scope Prediction' (clinc/oos-eval)",
}


def dev_half(text: str) -> bool:
    """The half of an eval set's rows the project may look at and learn from (an even CRC32 of the
    text); the other half is the held-out test half that bench/eval_support.py reports."""
    return zlib.crc32(text.encode("utf-8")) % 2 == 0


def training_rows(root: Path) -> Iterator[tuple[str, str]]:
    """(text, label) from the dev halves of banking77 and CLINC150: a topic for a request, else
    not_support. Credit-card questions are left out, as the bench leaves them out."""
    topics = banking77_topics(root)
    for r in read_csv(root / "support_banking77/test.csv"):
        if dev_half(r["text"]):
            yield r["text"], topics.get(r["category"], "other")
    for r in read_csv(root / "support_clinc150/clinc150_test_plus_oos_test.csv"):
        if dev_half(r["text"]) and r["domain"] != "credit_cards":
            expected = clinc_expected(r["domain"], r["intent"])
            yield r["text"], str(expected[0]["label"]) if expected else "not_support"
