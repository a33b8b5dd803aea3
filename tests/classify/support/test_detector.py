"""Should-flag and should-not cases for SupportDetector, on the committed
model in data/support/model/."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from monitor.classify.base import Detector
from monitor.classify.support.classifier import SupportDetector
from monitor.core.models import Author, Post

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
    ("我被冒充客服的人骗了，钱转走了怎么办", "other"),  # a victim asking for help is a request
    ("有个自称客服的人私信我要验证码，这是真的客服吗？", "other"),
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


# Members' and moderators' warnings name support, codes and passwords but ask for nothing. Worded
# apart from the phrase banks' warning lines, which were written after four such warnings flagged.
WARNINGS = [
    "谨防诈骗！真客服不会让你把USDT转到所谓的安全账户",
    "各位注意，最近有人假装官方工作人员加好友，说要帮忙解冻账户，别理",
    "Scam alert: nobody from support will DM you first, and nobody legit asks for your 2FA code",
]


@pytest.mark.parametrize("text", WARNINGS)
def test_warnings_about_scams_are_not_requests(text: str) -> None:
    """Under the flag line (the config's default support threshold, 0.5): no
    support reply to a warning."""
    assert all(f.score < 0.5 for f in cheap_detector().check(post(text)))


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
        ["hi, the transfer I made to my account yesterday is not there, can you check?"]
    )[0]
    assert (
        verdict.stage == "n-gram + MiniLM model"
        and verdict.topic == "deposit"
        and verdict.score >= 0.5
    )


def test_minilm_is_not_asked_where_the_n_gram_stage_is_sure_of_request_and_topic() -> None:
    """Above the band with a topic surer than topic_sure the n-gram verdict stands; a sure request
    with an unsure topic, or a request the n-gram stage is unsure of, still goes to MiniLM."""
    detector = SupportDetector()
    texts = ["my withdrawal is pending, please help",
             "hi, the transfer I made to my account yesterday is not there, can you check?",
             "is the app down for anyone else"]
    cheap = [detector.linear.scores(t) for t in texts]
    sure = [c.support > detector.band[1] and c.topics.max() > detector.topic_sure for c in cheap]
    assert sure[0] and not sure[1] and not sure[2]
    verdicts = detector.predict(texts)
    assert [v.stage for v in verdicts] == ["n-gram model"] + ["n-gram + MiniLM model"] * 2
    assert detector.topic_sure == 0.9


def test_check_many_matches_check() -> None:
    """Batched checks (MiniLM batches shared) give each post the findings check() gives it."""
    detector = SupportDetector()
    posts = [post(text) for text, _ in CASES]
    assert detector.check_many(posts) == [detector.check(p) for p in posts]


def test_a_minilm_that_cannot_load_leaves_the_n_gram_verdicts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An encoder folder without a model: the posts still get the n-gram
    verdicts, and the log says why."""
    text = "hi, the transfer I made to my account yesterday is not there, can you check?"
    detector = SupportDetector(encoder_path=tmp_path)
    with caplog.at_level("ERROR"):
        verdict = detector.predict([text])[0]
    assert verdict == cheap_detector().predict([text])[0]
    assert verdict.stage == "n-gram model"
    assert "MiniLM did not load" in caplog.text


def test_a_missing_encoder_folder_is_a_clear_error(tmp_path: Path) -> None:
    """A wrong encoder_path is named when the detector is built, not later by the MiniLM process."""
    with pytest.raises(ValueError, match="encoder_path .*nowhere: no such directory"):
        SupportDetector(encoder_path=tmp_path / "nowhere")


@cache
def full_detector() -> SupportDetector:
    """Both stages, as the default config runs them."""
    return SupportDetector()


# Who asks, not which words: greetings, members answering or asking members for details, advice to
# go to support, resolution notes, ads and promotions built on support words, product chatter.
# The first lines are the issue's own examples; the rest are worded apart from the phrase banks.
NOT_REQUESTS = [
    "hi",
    "gm",
    "thanks!",
    "hello",
    "ty",
    "the deposit bonus campaign ends friday, don't miss it",
    "sent it from my account, arrived fine thanks",
    "the dashboard masks my api key, nice touch",
    "can you provide your transaction number?",
    "you should ask the exchange's support",
    "Did you remember to include the memo tag when you sent it?",
    "honestly just raise a ticket with their support team, nobody here can see your account",
    "all sorted, the deposit showed up after an hour",
    "Stuck withdrawal? 3 things to check before you panic, full thread below",
    "congrats to everyone who joined the staking campaign, rewards go out monday",
    "morning fam",
    "请问现在问题解决了么？",
    "已到账",
    "客服人工充值到账了",
    "把提币入口改为暂未开放",
    "同样被插了，兄弟节哀",
    "可以走C2C，银行转账要等一两个工作日",
    "兄弟你的问题处理好了吗",
    "这个得找官方客服，群里的人看不到你的账户",
    "搞定了，客服帮我补到账了",
    "注册填我的邀请码，手续费打八折",
    "大家早上好",
]
REQUESTS = [
    ("the app crashes every time I open the assets page", "other"),
    ("my limit order filled way below my price… who can look at the trade history", "trading"),
    ("API 一直 timeout，是不是挂了？", "api"),
    ("the android app freezes whenever I tap on funding, can't move anything", "other"),
    ("REST endpoints keep returning 503 for an hour now, is there an outage?", "api"),
    ("please close my account, I no longer want to use the service", "other"),
    (
        (
            "my withdrawal request from 12 days ago is still processing and nobody replied to my "
            "ticket"
        ),
        "withdrawal",
    ),
    ("APP打开资金页面就闪退，怎么办", "other"),
    ("接口一直报504，是不是宕机了？", "api"),
    ("提现半个月了还在审核，工单没人理", "withdrawal"),
]


@pytest.mark.parametrize("text", NOT_REQUESTS)
def test_talk_around_support_is_not_a_request(text: str) -> None:
    """Under the flag line (the config's default support threshold, 0.5)."""
    assert all(f.score < 0.5 for f in full_detector().check(post(text)))


@pytest.mark.parametrize(("text", "topic"), REQUESTS)
def test_bugs_outages_disputes_closure_and_long_waits_are_requests(text: str, topic: str) -> None:
    [finding] = full_detector().check(post(text))
    assert finding.score >= 0.5 and finding.label == topic
