"""A member's first messages in a place are weighed more strictly: through the pipeline with a
Context, and through the daemon's ingest over a store that counts each author's messages there."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from monitor.core import config
from monitor.core.models import JOINED_GROUP, Author, Context, History, Post
from monitor.core.pipeline import Pipeline, marked
from monitor.core.policy import Modes
from monitor.runtime import daemon
from monitor.store import Store

# The impersonation detector scores this 0.3 (a weak support claim): under the threshold of 0.5,
# over 0.5 x 0.6 for a newcomer.
WEAK = "support team here, how can we help?"


def _post(n: int, text: str, who: str = "newbie", place: str = "-100123",
          channel: str = "group") -> Post:
    return Post("telegram", f"m{n}", Author("telegram", f"id-{who}", who), text, channel=channel,
                place=place)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    settings = config.load(None)
    return Pipeline.from_settings(settings, b"salt", remember=False)


def _impersonation(pipeline: Pipeline, post: Post, context: Context) -> list[str]:
    results = pipeline.in_context([post], context, Modes())
    return [f.evidence for f in results[0].findings if f.kind == "impersonation"]


def test_a_newcomers_first_messages_are_flagged_at_a_lower_threshold(pipeline: Pipeline) -> None:
    post = _post(1, WEAK)
    key = ("telegram", "-100123", "id-newbie")
    never = Context(history={key: History()})
    evidence = _impersonation(pipeline, post, never)
    assert evidence and evidence[0].endswith("first message in this place")
    third = _impersonation(pipeline, post, Context(history={key: History(2)}))
    assert third and third[0].endswith("message 3 in this place")
    assert _impersonation(pipeline, post, Context(history={key: History(3)})) == []
    assert _impersonation(pipeline, post, Context()) == []  # history not known: the usual threshold


def test_dms_and_posts_outside_a_place_are_not_first_messages(pipeline: Pipeline) -> None:
    for post in (_post(1, WEAK, channel="dm", place=""), _post(2, WEAK, place="")):
        key = ("telegram", post.place, "id-newbie")
        assert _impersonation(pipeline, post, Context(history={key: History()})) == []


def test_a_batchs_earlier_posts_count_and_joins_do_not() -> None:
    posts = [_post(0, JOINED_GROUP), _post(1, "hello"), _post(2, "hi again"),
             _post(3, "x", who="other")]
    context = Context(history={("telegram", "-100123", "id-newbie"): History(1)})
    out = marked(posts, context)
    assert [p.posts_here for p in out] == [1, 1, 2, 0]


def test_the_factor_and_count_come_from_the_config(tmp_path: Path) -> None:
    text = config.DEFAULT_CONFIG.read_text(encoding="utf-8")
    cfg = tmp_path / "m.toml"
    cfg.write_text(text.replace("first_messages = 3", "first_messages = 0"), encoding="utf-8")
    settings = config.load(cfg)
    assert settings.newcomers == {"first_messages": 0, "factor": 0.6}
    quiet = Pipeline.from_settings(settings, b"salt", remember=False)
    key = ("telegram", "-100123", "id-newbie")
    assert _impersonation(quiet, _post(1, WEAK), Context(history={key: History()})) == []
    for old, new, message in (("factor = 0.6", "factor = 0", "'newcomers.factor'"),
                              ("first_messages = 3", "first_messages = -1",
                               "'newcomers.first_messages'"),
                              ("accounts = 5 ", "accounts = 1 ", "'waves.accounts'"),
                              ("minutes = 30 ", "minutes = 0 ", "'waves.minutes'"),
                              ("new_share = 0.5", "new_share = 1.5", "'waves.new_share'"),
                              ("max_posts = 5000", "max_posts = 'x'", "'waves.max_posts'")):
        assert old in text
        cfg.write_text(text.replace(old, new), encoding="utf-8")
        with pytest.raises(config.ConfigError, match=message):
            config.load(cfg)


def _ingest(path: Path) -> daemon.Ingest:
    settings = dataclasses.replace(config.load(None), memory={"refresh_seconds": 0.0})
    store = Store(path)
    return daemon.Ingest(Pipeline.from_settings(settings, store.salt()), store,
                         dict(config.DEFAULT_MODES), dry_run=True)


def _send(ingest: daemon.Ingest, *posts: Post) -> None:
    async def go() -> None:
        for post in posts:
            await ingest(post)
    asyncio.run(go())


def test_through_the_daemon_a_regular_is_weighed_as_usual(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    chatter = [_post(n, f"chatting about the market, message {n}", who="regular")
               for n in range(3)]
    _send(ingest, *chatter, _post(10, WEAK, who="regular"), _post(11, WEAK, who="newbie"))
    regular = ingest.store.post_findings("telegram", "m10")
    newbie = ingest.store.post_findings("telegram", "m11")
    assert regular == []
    assert newbie and newbie[0]["evidence"].endswith("first message in this place")
    assert [a["kind"] for a in ingest.store.post_actions("telegram", "m11")].count("alert") == 1


def test_a_newcomers_warning_or_chat_is_not_lifted_over_the_line(pipeline: Pipeline) -> None:
    # The detector weighs these down on purpose (0.35 and 0.44): a member who warns about a site or
    # asks a friend to DM is no scammer, however new.
    key = ("telegram", "-100123", "id-newbie")
    never = Context(history={key: History()})
    warning = _post(1, "careful, okx-verify-wallet.com is phishing, do not open it")
    chat = dataclasses.replace(_post(2, "dm me later"), reply_to="m0")
    assert _impersonation(pipeline, warning, never) == []
    assert _impersonation(pipeline, chat, never) == []
    # the same newcomer offering a DM under no help request is still weighed strictly
    assert _impersonation(pipeline, _post(3, WEAK), never)
