"""Pipeline: redaction at the entrance, thresholds, and the policy's planned actions."""

from __future__ import annotations

import dataclasses

from monitor.core.config import Settings
from monitor.core.models import Author, Finding, Post
from monitor.core.pipeline import Pipeline

PASSWORD_POST = "I can't log in!! my password is Tr0ub4dor-77x please help"


def _post(text: str, handle: str = "alice", channel: str = "public") -> Post:
    return Post(
        platform="telegram",
        id="9",
        author=Author("telegram", "42", handle),
        text=text,
        channel=channel,
        raw={"text": text},
    )


class FixedDetector:
    """A stand-in third-party detector that reports one fixed score (threshold tests only)."""

    kind = "support_request"
    name = "fixed"

    def __init__(self, score: float) -> None:
        self.score = score
        self.seen: list[str] = []

    def check(self, post: Post) -> list[Finding]:
        self.seen.append(post.text)
        return [Finding(self.kind, "withdrawal", self.score, "fixed", self.name)]


def _pipeline(settings: Settings, *detectors: FixedDetector) -> Pipeline:
    base = Pipeline.from_settings(settings, b"salt")
    return Pipeline(base.secrets, list(detectors), base.templates, settings.thresholds)


def test_secret_is_redacted_before_any_detector_sees_it(settings: Settings) -> None:
    spy = FixedDetector(0.9)
    result = _pipeline(settings, spy).process(_post(PASSWORD_POST))
    assert "Tr0ub4dor-77x" not in result.post.text
    assert "[password removed]" in result.post.text
    assert spy.seen == [result.post.text]
    assert result.post.raw is None  # the platform payload may hold the raw text
    assert [f.kind for f in result.findings] == ["secret_leak", "support_request"]


def test_secret_leak_plans_delete_dm_public_notice_and_alert(settings: Settings) -> None:
    result = _pipeline(settings).process(_post(PASSWORD_POST, channel="group"))
    assert [a.kind for a in result.actions] == ["delete", "dm", "reply", "alert"]
    for action in result.actions:
        assert "Tr0ub4dor" not in action.text
    assert "removed" in result.actions[2].text


def test_threshold_filters_findings(settings: Settings) -> None:
    low = _pipeline(settings, FixedDetector(0.3)).process(_post("where is my money"))
    high = _pipeline(settings, FixedDetector(0.7)).process(_post("where is my money"))
    assert low.findings == [] and low.actions == []
    assert [a.kind for a in high.actions] == ["reply"]
    assert "https://www.okx.com/help" in high.actions[0].text


def test_support_in_a_dm_gets_a_dm_in_chinese(settings: Settings) -> None:
    result = _pipeline(settings, FixedDetector(0.9)).process(
        _post("我的提币一直没到账", channel="dm")
    )
    [action] = result.actions
    assert action.kind == "dm" and action.target == "42"
    assert "在线客服" in action.text


def test_official_accounts_get_no_actions(settings: Settings) -> None:
    result = _pipeline(settings, FixedDetector(0.9)).process(
        _post("DM us please", handle="OKXOfficial_English")
    )
    assert result.findings == [] and result.actions == []  # the brand's answers are not requests


def test_fingerprint_is_salted_and_stable(settings: Settings) -> None:
    one = Pipeline.from_settings(settings, b"a").process(_post(PASSWORD_POST)).findings[0]
    same = Pipeline.from_settings(settings, b"a").process(_post(PASSWORD_POST + "!")).findings[0]
    other_salt = Pipeline.from_settings(settings, b"b").process(_post(PASSWORD_POST)).findings[0]
    assert one.fingerprint == same.fingerprint != other_salt.fingerprint
    assert "Tr0ub4dor" not in one.evidence + one.fingerprint


def test_invisible_characters_cannot_hide_a_secret(settings: Settings) -> None:
    hidden = "my password is Gr\u200be3n-T\u2066ea-41 and my code\u200f"
    result = Pipeline.from_settings(settings, b"s").process(_post(hidden))
    assert [f.label for f in result.findings if f.kind == "secret_leak"] == ["password"]
    assert "Gr" not in result.post.text and "\u200b" not in result.post.text


def test_process_many_matches_process_in_order(settings: Settings) -> None:
    """Batched classification gives each post what process() alone gives it, in input order."""
    pipeline = Pipeline.from_settings(settings, b"salt")
    texts = [
        "my USDT withdrawal is pending for 3 days, please help",
        "gm everyone",
        PASSWORD_POST,
        "充值的USDT一直没到账",
    ]
    posts = [dataclasses.replace(_post(t), id=str(i)) for i, t in enumerate(texts)]
    assert pipeline.process_many(posts) == [pipeline.process(p) for p in posts]
