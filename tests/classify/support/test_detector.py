"""Should-flag and should-not cases for SupportDetector, on the committed model in data/support/model/."""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import pytest

from monitor.classify.base import Detector
from monitor.classify.support.detector import DEFAULT_MODEL_DIR, META_FILE, SupportDetector
from monitor.models import Author, Post

# (text, topic or None for "not a support request")
CASES = [
    ("@OKX my USDT withdrawal has been pending for 3 days, please help", "withdrawal"),
    ("I deposited 500 USDT on TRC20 two hours ago and it's still not credited", "deposit"),
    ("lost my phone with google authenticator, can't log in to my account", "login"),
    ("my KYC verification keeps failing, the selfie is rejected", "kyc"),
    ("my API key returns invalid signature on every order", "api"),
    ("my stop loss didn't trigger and my futures position got liquidated", "trading"),
    ("提币一直没到账，已经三天了，怎么办", "withdrawal"),
    ("充值的USDT一直没到账", "deposit"),
    ("實名認證一直審核中，怎麼辦？", "kyc"),
    ("my withdrawal arrived in 2 minutes, great service!", None),
    ("BTC to the moon 🚀🚀", None),
    ("please list $PEPE on OKX", None),
    ("DM me to recover your lost crypto, 100% guaranteed", None),
    ("good morning everyone, happy friday", None),
    ("提币秒到，好评[赞]", None),
    ("今天天气真好，出去玩了[哈哈]", None),
]


@cache
def cheap_detector() -> SupportDetector:
    """The n-gram stage alone: fast, and enough for these plain cases."""
    return SupportDetector(use_encoder=False)


def post(text: str) -> Post:
    """A public post with the given text."""
    return Post(
        platform="twitter",
        id="1",
        author=Author(platform="twitter", id="9", handle="someone"),
        text=text,
    )


@pytest.mark.parametrize(("text", "topic"), CASES)
def test_cases(text: str, topic: str | None) -> None:
    """Requests are flagged with their topic; everything else gives no finding."""
    findings = cheap_detector().check(post(text))
    assert [f.label for f in findings] == ([topic] if topic else [])


def test_finding_shape() -> None:
    """Kind, detector name, score range and plain-words evidence."""
    finding = cheap_detector().check(post("my withdrawal is stuck for 2 days, help"))[0]
    assert (finding.kind, finding.detector) == ("support_request", "support")
    assert 0.5 <= finding.score <= 1.0
    assert (
        finding.evidence.startswith("asks for help with a withdrawal")
        and "model" in finding.evidence
    )


def test_is_a_detector() -> None:
    """SupportDetector meets the Detector protocol."""
    assert isinstance(cheap_detector(), Detector)


def test_encoder_stage_runs_offline() -> None:
    """With MiniLM loaded from local files, an English request goes through both stages."""
    detector = SupportDetector()
    verdict = detector.predict(
        ["hi, my bank transfer to my account hasn't shown up yet, can you check?"]
    )[0]
    assert (
        verdict.stage == "n-gram + MiniLM model"
        and verdict.topic == "deposit"
        and verdict.score >= 0.5
    )


def test_check_many_matches_check() -> None:
    """Batched checks (MiniLM batches shared) give each post the findings check() gives it."""
    detector = SupportDetector()
    posts = [post(text) for text, _ in CASES]
    assert detector.check_many(posts) == [detector.check(p) for p in posts]


def test_detector_runs_the_encoder_variant_its_head_was_trained_on(tmp_path: Path) -> None:
    """meta.json's encoder entry decides whether the detector's MiniLM has int8 weights."""
    for item in DEFAULT_MODEL_DIR.iterdir():
        shutil.copy(item, tmp_path / item.name)
    meta = json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))
    for quantize in (False, True):
        meta["encoder"] = {"quantize": quantize}
        (tmp_path / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        detector = SupportDetector(tmp_path)
        assert detector.encoder is not None
        linear = detector.encoder.model.encoder.layer[0].intermediate.dense
        assert ("quantized" in type(linear).__module__) is quantize
