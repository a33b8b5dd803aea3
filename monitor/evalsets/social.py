"""Converters for the impersonation/scam sets and the ordinary-post negatives (tweets, Weibo)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from monitor.evalsets.common import Post, expect, post, read_csv

IMPERSONATION = "impersonation"


def _handle_from_url(url: str) -> str:
    """The author handle in an x.com status URL, or '' when there is none."""
    parts = url.split("/")
    return parts[3] if len(parts) > 4 and parts[4] == "status" else ""


def janitr(root: Path) -> Iterator[Post]:
    """Janitr X posts: is_scam (scam, phishing, recovery scam, impersonation) → impersonation."""
    path = root / "scam_x_posts_janitr_internetcondom/janitr_sample_labeled.csv"
    for i, r in enumerate(read_csv(path)):
        expected = expect(IMPERSONATION) if r["is_scam"] == "1" else []
        yield post(
            "janitr",
            i,
            r["text"],
            expected,
            handle=_handle_from_url(r["source_url"]),
            group="scam" if expected else "not_scam",
        )


def tg_spam_en(root: Path) -> Iterator[Post]:
    """English tg-spam rows; ham → [].

    Spam here is crypto "earn / DM me" scam lures, so it counts as impersonation: our one scam
    kind, which the daemon warns about and reports.
    """
    for i, r in enumerate(read_csv(root / "spam_tg_spam_umputun/tg_spam_ham_samples.csv")):
        if r["lang"] == "en":
            expected = expect(IMPERSONATION) if r["label"] == "spam" else []
            yield post("tg_spam_en", i, r["text"], expected, "telegram", group=r["label"])


def twcs_agents(root: Path) -> Iterator[Post]:
    """Other brands' genuine support agents ("Please DM us…"): official-looking hard negatives.

    The author is the agent's own account (AppleSupport, Tesco, ...), never the configured brand.
    """
    for i, r in enumerate(read_csv(root / "support_twcs_sample/twcs_sample.csv")):
        if r["inbound"] == "False":
            yield post("twcs_agents", i, r["text"], [], handle=r["author_id"], group=r["author_id"])


def telecom_fraud_zh_semisynthetic(root: Path) -> Iterator[Post]:
    """Model-generated Chinese fake-customer-service texts (impersonation) vs normal texts ([])."""
    folder = root / "scam_zh_telecom_fraud_texts5_SEMISYNTHETIC"
    for i, r in enumerate(read_csv(folder / "telecom_fraud_zh_customer_service_vs_normal.csv")):
        scam = r["label"] == "impersonating_customer_service"
        yield post(
            "telecom_fraud_zh_semisynthetic",
            i,
            r["text"],
            expect(IMPERSONATION) if scam else [],
            "telegram",
            group=r["label"],
        )


def tweeteval(root: Path) -> Iterator[Post]:
    """Ordinary tweets (sentiment, emotion, irony tasks): negatives for every kind."""
    for i, r in enumerate(read_csv(root / "negatives_tweeteval/tweeteval_test_sample.csv")):
        yield post("tweeteval", i, r["text"], [], group=r["task"])


def weibo(root: Path) -> Iterator[Post]:
    """Ordinary Chinese Weibo posts: negatives for every kind."""
    for i, r in enumerate(
        read_csv(root / "negatives_zh_weibo_senti_subset/weibo_senti_subset.csv")
    ):
        yield post("weibo", i, r["text"], [])
