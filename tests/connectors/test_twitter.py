"""X connector against the loopback fake: cursors, mapping, actions, rate
limits, access errors, config."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tweepy

from monitor.classify.impersonation import ImpersonationDetector
from monitor.cli.connecting import build_connectors
from monitor.connectors.twitter.timeline import (
    CURSOR_DMS,
    CURSOR_MENTIONS,
    AccessDenied,
    NotPermitted,
    TwitterConnector,
    UsageCapped,
    make_client,
)
from monitor.core import config
from monitor.core.models import Action, Author, Post
from monitor.runtime.health import Health
from monitor.store import Store
from tests.fakes.twitter import (
    CODE_453,
    CREDS,
    ENV,
    NOT_ENROLLED,
    USAGE_CAPPED,
    FakeX,
    write_config,
)

KEYS = (CREDS.consumer_key, CREDS.consumer_secret, CREDS.access_token, CREDS.access_token_secret)


def _run(body: Callable[[FakeX], Awaitable[Any]], fake: FakeX | None = None) -> Any:
    """Start a fake, run the scenario against it, stop the fake."""

    async def main() -> Any:
        server = fake or FakeX()
        await server.start()
        try:
            return await body(server)
        finally:
            await server.close()

    return asyncio.run(main())


def _connector(
    fake: FakeX, store: Store | None = None, keys: tuple[str, str, str, str] = KEYS, **over: Any
) -> TwitterConnector:
    """A connector whose real tweepy client talks to the fake."""
    over = {"poll_interval": 0.05, **over}
    return TwitterConnector(make_client(keys, fake.base_url), store or Store(":memory:"), **over)


class Collect:
    """An emit callback that keeps the posts."""

    def __init__(self) -> None:
        self.posts: list[Post] = []

    async def __call__(self, post: Post) -> None:
        self.posts.append(post)


def test_mentions_come_oldest_first_across_pages_and_resume_from_the_cursor() -> None:
    async def body(fake: FakeX) -> None:
        fake.page_cap = 2  # five mentions take three pages
        alice = fake.add_user(
            "alice", "Alice", "2018-03-04T05:06:07.000Z", followers=321, verified=True
        )
        first = fake.mention(alice, "@okx my deposit is missing")
        ids = [first] + [fake.mention(alice, f"@okx more {n}", reply_to=first) for n in range(3)]
        ids.append(fake.mention(fake.me, "@okx the bot's own tweet is skipped"))
        store, got = Store(":memory:"), Collect()
        conn = _connector(fake, store)
        await conn.poll_mentions(got)
        assert [p.id for p in got.posts] == ids[:4]
        assert fake.calls.count("mentions") == 3
        assert store.cursor(CURSOR_MENTIONS) == ids[4]
        later = fake.mention(alice, "@okx still waiting")
        await conn.poll_mentions(got)
        assert [p.id for p in got.posts] == ids[:4] + [later]
        post = got.posts[1]
        assert (post.platform, post.channel, post.reply_to) == ("twitter", "public", first)
        assert post.url == f"https://x.com/alice/status/{post.id}"
        a = post.author
        assert (a.id, a.handle, a.name, a.followers, a.verified) == (
            alice,
            "alice",
            "Alice",
            321,
            True,
        )
        assert a.created_at is not None and a.created_at.year == 2018
        assert post.created_at is not None and got.posts[0].reply_to is None

    _run(body)


def test_a_tweets_links_are_read_as_posted_not_as_t_co_addresses() -> None:
    async def body(fake: FakeX) -> None:
        eve = fake.add_user("eve")
        tid = fake.mention(
            eve,
            "@okx withdrawals fixed here: https://okx-verify-login.com/claim?u=1 and "
            "https://www.okx.com/help",
        )
        assert "t.co/" in fake.tweets[tid]["text"]  # as X stores it
        got = Collect()
        await _connector(fake, Store(":memory:")).poll_mentions(got)
        [post] = got.posts
        assert post.text == (
            "@okx withdrawals fixed here: https://okx-verify-login.com/claim?u=1 and "
            "https://www.okx.com/help"
        )
        found = ImpersonationDetector(config.load().brand).check(post)
        assert [f.label for f in found] == ["phishing_link"] and "okx-verify-login.com" in found[
            0
        ].evidence

    _run(body)


def test_a_long_post_is_read_whole_with_its_links() -> None:
    async def body(fake: FakeX) -> None:
        eve = fake.add_user("eve")
        text = (
            "@okx "
            + "my withdrawal story, long and sad. " * 9
            + "Fixed it at https://okx-verify-login.com/claim"
        )
        tid = fake.mention(eve, text)
        assert "okx-verify-login" not in fake.tweets[tid]["text"]  # cut at 280 characters
        got = Collect()
        await _connector(fake, Store(":memory:")).poll_mentions(got)
        assert [p.text for p in got.posts] == [text]

    _run(body)


def test_dms_resume_after_the_last_seen_event_and_skip_the_bots_own() -> None:
    async def body(fake: FakeX) -> None:
        fake.page_cap = 2
        bob = fake.add_user("bob")
        first = [fake.dm(bob, f"hello {n}") for n in range(3)]
        store, got = Store(":memory:"), Collect()
        conn = _connector(fake, store)
        await conn.poll_dms(got)
        assert [p.id for p in got.posts] == first
        assert {(p.channel, p.author.id, p.author.handle) for p in got.posts} == {
            ("dm", bob, "bob")
        }
        await conn.perform(
            Action("dm", "twitter", bob, "we are here to help", "support_request: other")
        )
        newer = fake.dm(bob, "thanks")
        await conn.poll_dms(got)
        assert [p.id for p in got.posts] == first + [newer]  # the bot's own message is not a post
        assert store.cursor(CURSOR_DMS) == newer
        # 2 pages, then 2 until the last seen event showed up
        assert fake.calls.count("dm_events") == 4

    _run(body)


def _stored(store: Store, post_id: str, author_id: str, channel: str = "public") -> None:
    """Put a post in the store as the daemon would have."""
    store.add_post(
        Post("twitter", post_id, Author("twitter", author_id, "x"), "[redacted]", channel)
    )


def test_perform_replies_dms_and_reports_and_deletes_only_own_posts() -> None:
    async def body(fake: FakeX) -> None:
        carol = fake.add_user("carol")
        tweet, event = fake.mention(carol, "@okx seed words ..."), fake.dm(carol, "help")
        store = Store(":memory:")
        _stored(store, tweet, carol)
        _stored(store, event, carol, "dm")
        conn = _connector(fake, store)
        answer = await conn.perform(
            Action("reply", "twitter", tweet, "removed notice", "secret_leak")
        )
        assert fake.posted == [
            {"id": answer.split()[1], "text": "removed notice", "reply_to": tweet}
        ]
        await conn.perform(Action("reply", "twitter", event, "answer in the DM", "support_request"))
        await conn.perform(Action("dm", "twitter", carol, "what to do now", "secret_leak"))
        assert [(d["participant_id"], d["text"]) for d in fake.dms_sent] == [
            (carol, "answer in the DM"),
            (carol, "what to do now"),
        ]
        with pytest.raises(
            NotPermitted, match="not permitted on X: cannot delete another user's post"
        ):
            await conn.perform(Action("delete", "twitter", tweet, "", "secret_leak"))
        assert "delete_tweet" not in fake.calls
        own = answer.split()[1]
        _stored(store, own, fake.me)
        assert await conn.perform(Action("delete", "twitter", own, "", "test")) == "deleted"
        assert fake.deleted == [own]
        assert await conn.perform(
            Action("report", "twitter", carol, "evidence", "impersonation")
        ) == ("no report API for bots on X: takedown case to be opened")
        for kind in ("restrict", "ban", "unban"):
            with pytest.raises(NotPermitted, match=f"X lets no app {kind} an account"):
                await conn.perform(Action(kind, "twitter", carol, "", "impersonation", place="x"))
        with pytest.raises(NotPermitted, match="alert"):
            await conn.perform(Action("alert", "twitter", "admin", "text", "secret_leak"))

    _run(body)


def test_profile_has_creation_date_followers_and_verified() -> None:
    async def body(fake: FakeX) -> None:
        uid = fake.add_user("0kx_support", "OKX Support", "2026-11-18T00:00:00.000Z", followers=4)
        author = await _connector(fake).profile(uid)
        assert (author.handle, author.name, author.followers, author.verified) == (
            "0kx_support",
            "OKX Support",
            4,
            False,
        )
        assert author.created_at is not None and author.created_at.day == 18
        with pytest.raises(LookupError, match="no user with id 42"):
            await _connector(fake).profile("42")

    _run(body)


def test_a_429_waits_for_the_reset_then_continues(caplog: pytest.LogCaptureFixture) -> None:
    async def body(fake: FakeX) -> float:
        tid = fake.mention(fake.add_user("dave"), "@okx hi")
        fake.fail("mentions", 429, reset_in=1.0)
        got, start = Collect(), time.monotonic()
        await _connector(fake).poll_mentions(got)
        assert [p.id for p in got.posts] == [tid]
        return time.monotonic() - start

    elapsed = _run(body)
    assert 0.9 <= elapsed < 5  # waited until X's reset, not a fixed long sleep
    assert "GET /2/users/:id/mentions rate limited (429); waiting" in caplog.text


def test_a_429_on_a_reply_is_retried_and_the_reply_sent_once() -> None:
    async def body(fake: FakeX) -> None:
        tid = fake.mention(fake.add_user("erin"), "@okx hi")
        fake.fail("create_tweet", 429, reset_in=1.0)
        await _connector(fake).perform(Action("reply", "twitter", tid, "hello", "support_request"))
        assert [p["reply_to"] for p in fake.posted] == [tid]
        assert fake.calls.count("create_tweet") == 2

    _run(body)


def test_a_5xx_is_retried_on_reads_but_not_on_writes(caplog: pytest.LogCaptureFixture) -> None:
    async def body(fake: FakeX) -> None:
        tid = fake.mention(fake.add_user("frank"), "@okx hi")
        fake.fail("mentions", 503)
        got = Collect()
        conn = _connector(fake)
        await conn.poll_mentions(got)
        assert [p.id for p in got.posts] == [tid]
        fake.fail("create_tweet", 500)  # X may have posted it: sending again could post twice
        with pytest.raises(tweepy.TwitterServerError):
            await conn.perform(Action("reply", "twitter", tid, "hello", "support_request"))
        assert fake.calls.count("create_tweet") == 1

    _run(body)
    assert "GET /2/users/:id/mentions failed (503); retrying in 1s" in caplog.text


@pytest.mark.parametrize(
    ("body_json", "why"), [(CODE_453, "403, code 453"), (NOT_ENROLLED, "403, client-not-enrolled")]
)
def test_an_access_tier_refusal_is_one_clear_fatal_error(body_json: dict, why: str) -> None:
    async def body(fake: FakeX) -> None:
        fake.fail("mentions", 403, body=body_json)
        with pytest.raises(AccessDenied) as err:
            await _connector(fake).run(Collect())
        assert str(err.value) == (
            f"X: GET /2/users/:id/mentions needs Basic or Pro access ({why}); X connector stopped"
        )
        assert fake.calls.count("mentions") == 1

    _run(body)


def test_a_wrong_secret_fails_the_signature_check_and_stops_the_connector() -> None:
    async def body(fake: FakeX) -> None:
        wrong = (KEYS[0], "not-the-secret", KEYS[2], KEYS[3])
        with pytest.raises(AccessDenied, match=r"GET /2/users/me refused the credentials \(401\)"):
            await _connector(fake, keys=wrong).run(Collect())
        assert fake.rejected == 1 and fake.calls == []

    _run(body)


def test_realistic_config_with_credentials_from_env_vars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)

    async def body(fake: FakeX) -> None:
        settings = config.load(write_config(tmp_path, fake.base_url))
        [conn] = build_connectors(settings, Store(":memory:"))
        got = Collect()
        tid = fake.mention(fake.add_user("gina"), "@okx hello")
        await conn.poll_mentions(got)  # type: ignore[attr-defined]
        assert [p.id for p in got.posts] == [tid] and fake.rejected == 0

    _run(body)


def test_a_missing_credential_disables_only_x_with_one_log_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("X_ACCESS_TOKEN_SECRET")
    settings = config.load(write_config(tmp_path, "http://127.0.0.1:9"))
    with caplog.at_level(logging.ERROR):
        assert build_connectors(settings, Store(":memory:")) == []
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert lines == [
        "twitter connector disabled: environment variable X_ACCESS_TOKEN_SECRET not set"
    ]


def test_the_readme_twitter_example_is_a_valid_config(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("### X (Twitter)", 1)[1].split("```toml", 1)[1].split("```", 1)[0]
    brand = (
        write_config(tmp_path, "http://127.0.0.1:9")
        .read_text(encoding="utf-8")
        .split("[twitter]")[0]
    )
    path = tmp_path / "readme.toml"
    path.write_text(brand + example, encoding="utf-8")
    table = config.load(path).platforms["twitter"]
    assert (
        table["enabled"] is True
        and table["consumer_key_env"] == "X_API_KEY"
        and table["dms"] is True
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('api_base = "127.0.0.1:8080"', "'twitter.api_base' must be an http(s) URL"),
        ('tier = "free"', "'twitter.tier' must be one of basic, pro"),
        ("poll_interval = 0", "'twitter.poll_interval' must be more than 0 seconds"),
    ],
)
def test_a_bad_twitter_setting_is_one_clear_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, message: str
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    path = write_config(tmp_path, "http://127.0.0.1:9")
    key = line.split(" =")[0]
    kept = [x for x in path.read_text(encoding="utf-8").splitlines() if not x.startswith(key)]
    path.write_text("\n".join(kept + [line]) + "\n", encoding="utf-8")
    with pytest.raises(config.ConfigError, match=re.escape(message)):
        build_connectors(config.load(path), Store(":memory:"))


async def _running(conn: TwitterConnector, got: Collect, seconds: float) -> None:
    """Run the connector for a while, then stop it."""
    task = asyncio.create_task(conn.run(got))
    await asyncio.sleep(seconds)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def test_the_usage_cap_pauses_polling_with_one_log_line_and_a_health_condition(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def body(fake: FakeX) -> None:
        tid = fake.mention(fake.add_user("hana"), "@okx hi")
        for route in ("mentions", "dm_events"):
            fake.fail(route, 429, times=50, body=USAGE_CAPPED, reset_in=600)
        conn, got = _connector(fake, usage_cap_pause=0.4), Collect()
        task = asyncio.create_task(conn.run(got))
        await asyncio.sleep(1.0)
        assert fake.calls.count("mentions") <= 4  # one try per pause: no 5-try retry storms
        assert got.posts == [] and conn.conditions()["usage_cap"].degraded
        assert (
            "usage cap reached (429 UsageCapExceeded, period Monthly"
            in conn.conditions()["usage_cap"].message
        )
        health = Health(Store(":memory:"))
        health.watch([conn])
        health.set("twitter", "running")
        ok, report = health.report()
        assert (
            not ok
            and report["status"] == "degraded"
            and report["connectors"] == {"twitter": "paused"}
        )
        assert (
            "raise the cap in the X developer portal"
            in report["conditions"]["twitter"]["usage_cap"]
        )
        fake.faults.clear()  # the period ended
        await asyncio.sleep(0.8)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert [p.id for p in got.posts] == [tid] and conn.conditions() == {}

    with caplog.at_level(logging.INFO, logger="monitor.connectors.twitter"):
        _run(body)
    capped = [r for r in caplog.records if "usage cap reached" in r.getMessage()]
    assert len(capped) == 1 and capped[0].levelno == logging.ERROR
    assert "rate limited" not in caplog.text  # not mistaken for a 15-minute rate limit
    assert "the usage cap no longer applies" in caplog.text


def test_a_usage_capped_reply_fails_at_once() -> None:
    async def body(fake: FakeX) -> None:
        tid = fake.mention(fake.add_user("ivan"), "@okx hi")
        fake.fail("create_tweet", 429, body=USAGE_CAPPED, reset_in=600)
        with pytest.raises(UsageCapped, match="POST /2/tweets refused: usage cap reached"):
            await _connector(fake).perform(
                Action("reply", "twitter", tid, "hello", "support_request")
            )
        assert fake.calls.count("create_tweet") == 1

    _run(body)


def test_polling_spends_xs_rate_budget_and_mentions_and_dms_wait_independently() -> None:
    async def body(fake: FakeX) -> None:
        fake.limits["mentions"], fake.window = 3, 2.0  # like Basic: few mention reads per window
        bob = fake.add_user("bob")
        conn, got = _connector(fake, poll_interval=0.01), Collect()
        task = asyncio.create_task(conn.run(got))
        for n in range(4):
            await asyncio.sleep(0.6)
            fake.dm(bob, f"dm {n}")
            fake.mention(bob, f"@okx mention {n}")
        await asyncio.sleep(1.5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert fake.over_limit == 0  # never ran into X's 429
        assert fake.calls.count("mentions") <= 3 * 3  # at most the limit in each 2 s window
        assert fake.calls.count("dm_events") > 2 * fake.calls.count("mentions")
        assert {p.text for p in got.posts} >= {f"dm {n}" for n in range(4)} | {
            f"@okx mention {n}" for n in range(4)
        }

    _run(body)


def test_a_rate_limit_wait_on_mentions_does_not_hold_up_dms() -> None:
    async def body(fake: FakeX) -> None:
        bob = fake.add_user("bob")
        fake.fail("mentions", 429, reset_in=60)  # mentions must wait a minute
        conn, got = _connector(fake), Collect()
        task = asyncio.create_task(conn.run(got))
        await asyncio.sleep(0.3)
        event = fake.dm(bob, "still there?")
        await asyncio.sleep(0.6)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert event in [p.id for p in got.posts]

    _run(body)


def _aged(fake: FakeX, item: dict[str, Any], hours: float) -> str:
    """Make a tweet or DM event `hours` old; returns its id."""
    when = datetime.now(UTC) - timedelta(hours=hours)
    item["created_at"] = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return item["id"]


def test_a_first_run_handles_only_the_last_backfill_hours_and_remembers_the_newest() -> None:
    async def body(fake: FakeX) -> None:
        fake.page_cap = 2
        bob = fake.add_user("bob")
        old = [
            _aged(fake, fake.tweets[fake.mention(bob, f"@okx weeks ago {n}")], 24 * 20)
            for n in range(5)
        ]
        recent = _aged(fake, fake.tweets[fake.mention(bob, "@okx an hour ago")], 1)
        old_dm = _aged(fake, _event(fake, fake.dm(bob, "old dm")), 24 * 9)
        store, got = Store(":memory:"), Collect()
        conn = _connector(fake, store, backfill_hours=2)
        await conn.poll_mentions(got)
        await conn.poll_dms(got)
        assert [p.id for p in got.posts] == [recent]
        assert fake.calls.count("mentions") == 1  # its first page already reached past 2 hours
        assert store.cursor(CURSOR_DMS) == old_dm  # nothing recent: the newest is remembered
        fresh = fake.dm(bob, "new dm")
        await conn.poll_dms(got)
        assert [p.id for p in got.posts] == [recent, fresh] and old[0] not in [
            p.id for p in got.posts
        ]
        store2 = Store(":memory:")  # a first run where every mention is old
        for tid in [recent]:
            _aged(fake, fake.tweets[tid], 30)
        await _connector(fake, store2, backfill_hours=2).poll_mentions(Collect())
        assert store2.cursor(CURSOR_MENTIONS) == recent

    _run(body)


def _event(fake: FakeX, event_id: str) -> dict[str, Any]:
    """A DM event of the fake by id."""
    return next(e for e in fake.dm_events if e["id"] == event_id)


def test_verified_type_is_asked_for_and_shown_in_the_evidence() -> None:
    async def body(fake: FakeX) -> None:
        impostor = fake.add_user(
            "okx_support_desk",
            "OKX Support",
            "2026-11-01T00:00:00.000Z",
            followers=3,
            verified=True,
            verified_type="blue",
        )
        fake.mention(impostor, "@okx DM me your UID and I will fix your withdrawal")
        got = Collect()
        await _connector(fake).poll_mentions(got)
        [post] = got.posts
        assert (post.author.verified, post.author.verified_type) == (True, "blue")
        assert (await _connector(fake).profile(impostor)).verified_type == "blue"
        findings = ImpersonationDetector(config.load().brand).check(post)
        assert any(
            "blue mark (verified_type blue), which X sells" in f.evidence for f in findings
        ), findings

    _run(body)
