"""Reddit connector against the loopback fake: mapping, inbox and cursors,
actions, rate limits, config."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from fakes.reddit import BOT, ENV, FakeReddit, eventually, new_fake

from monitor.cli.connecting import build_connectors
from monitor.connectors.catalog import MissingCredential
from monitor.connectors.reddit.stream import (
    RedditConfig,
    RedditConnector,
    RedditError,
    default_user_agent,
    read_config,
)
from monitor.core import config
from monitor.core.models import Action, Post
from monitor.store import Store


def _connector(fake: FakeReddit, store: Store | None = None, **over: object) -> RedditConnector:
    """A connector for the fake's account, polling fast."""
    cfg = RedditConfig(
        ENV["REDDIT_CLIENT_ID"],
        ENV["REDDIT_CLIENT_SECRET"],
        BOT,
        ENV["REDDIT_PASSWORD"],
        default_user_agent(BOT),
        fake.url,
        ("OKX",),
        poll_interval=0.05,
        max_retry_wait=3.0,
    )
    return RedditConnector(
        replace(cfg, **over),  # type: ignore[arg-type]
        store or Store(":memory:"),
        "OKX",
    )


async def _watch(conn: RedditConnector, until: Callable[[list[Post]], bool]) -> list[Post]:
    """Run the connector until `until(posts so far)` holds, then stop it."""
    got: list[Post] = []

    async def emit(post: Post) -> None:
        got.append(post)

    task = asyncio.create_task(conn.run(emit))
    try:
        await eventually(lambda: until(got) or task.done())
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return got


def _thread(fake: FakeReddit) -> tuple[str, str]:
    """A submission in r/OKX with one comment; (submission, comment) fullnames."""
    fake.add_user("alice", days_old=900, karma=1200)
    post = fake.add_submission("OKX", "alice", "Deposit not credited", "sent USDT 2h ago")
    return post, fake.add_comment(post, "alice", "still nothing after 3 hours")


def test_posts_are_mapped_from_inbox_and_subreddit() -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            post, comment = _thread(fake)
            fake.add_user("carol", days_old=3, verified=False, karma=1)
            pm = fake.add_message("carol", "help", "my withdrawal is stuck")
            got = await _watch(_connector(fake), lambda g: len(g) >= 3)
            by_id = {p.id: p for p in got}
            assert [p.id for p in got] == [pm, post, comment]  # inbox first, then oldest first
            assert by_id[pm].channel == "dm" and by_id[pm].text == "help\n\nmy withdrawal is stuck"
            assert by_id[post].text == "Deposit not credited\n\nsent USDT 2h ago"
            assert by_id[comment].reply_to == post and by_id[comment].channel == "public"
            assert (
                by_id[comment].url
                == f"https://www.reddit.com/r/OKX/comments/{post[3:]}/post/{comment[3:]}/"
            )
            carol = by_id[pm].author
            assert (carol.id, carol.handle, carol.verified, carol.followers) == (
                "carol",
                "carol",
                False,
                None,
            )
            assert (
                carol.created_at is not None and (by_id[pm].created_at - carol.created_at).days == 3
            )
            assert (
                by_id[comment].raw["author_karma"] == 1200
                and by_id[comment].raw["subreddit"] == "OKX"
            )
            assert fake.sent.read == [pm] and fake.unread == set()
            assert default_user_agent(BOT) == f"python:support-monitor:0.1.0 (by /u/{BOT})"
            assert [
                ua.startswith(default_user_agent(BOT) + " Async PRAW/") for ua in fake.user_agents
            ] == [True]
            assert fake.token_requests == 1

    asyncio.run(scenario())


def test_inbox_item_is_marked_read_only_after_it_was_handled() -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            fake.add_user("dave", days_old=50)
            pm = fake.add_message("dave", "hi", "question about KYC")

            async def broken(post: Post) -> None:
                raise RuntimeError("store unavailable")

            with pytest.raises(RuntimeError):
                await _connector(fake).run(broken)
            assert fake.unread == {pm} and fake.sent.read == []
            got = await _watch(_connector(fake), lambda g: bool(g))  # the next start gets it again
            assert [p.id for p in got] == [pm]
            await eventually(lambda: fake.sent.read == [pm])

    asyncio.run(scenario())


def test_subreddit_cursor_resumes_after_restart_and_skips_own_posts() -> None:
    async def scenario() -> None:
        store = Store(":memory:")
        async with new_fake() as fake:
            post, first = _thread(fake)
            got = await _watch(_connector(fake, store), lambda g: len(g) >= 2)
            assert [p.id for p in got] == [post, first]
            assert store.cursor("reddit:r/OKX:comments") == first
            own = fake.add_comment(first, BOT, "our own answer")
            later = [fake.add_comment(post, "alice", f"update {n}") for n in range(3)]
            got = await _watch(_connector(fake, store), lambda g: len(g) >= 3)
            await asyncio.sleep(0.2)  # a few more polls: nothing repeats
            assert [p.id for p in got] == later and own not in [p.id for p in got]
            assert store.cursor("reddit:r/OKX:comments") == later[-1]

    asyncio.run(scenario())


def test_a_deleted_cursor_item_does_not_stall_the_listing() -> None:
    async def scenario() -> None:
        store = Store(":memory:")
        async with new_fake() as fake:
            post, first = _thread(fake)
            await _watch(_connector(fake, store), lambda g: len(g) >= 2)
            del fake.things[first]  # Reddit drops removed items from listings
            newer = fake.add_comment(post, "alice", "hello?")
            got = await _watch(_connector(fake, store), lambda g: bool(g))
            assert [p.id for p in got] == [newer]

    asyncio.run(scenario())


def test_backfill_zero_starts_from_now() -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            post, _ = _thread(fake)
            conn = _connector(fake, backfill=0)
            await _watch(conn, lambda g: conn.store.cursor("reddit:r/OKX:comments") is not None)
            fresh = fake.add_comment(post, "alice", "new one")
            got = await _watch(conn, lambda g: bool(g))
            assert [p.id for p in got] == [fresh]

    asyncio.run(scenario())


def test_profile_known_and_unknown_user() -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            fake.add_user("erin", days_old=10, verified=False)
            erin = await _connector(fake).profile("erin")
            assert (erin.platform, erin.handle, erin.verified) == ("reddit", "erin", False)
            assert erin.created_at is not None
            with pytest.raises(RedditError, match="404: no Reddit user u/ghost"):
                await _connector(fake).profile("ghost")

    asyncio.run(scenario())


def test_actions_reply_pm_remove_delete_report() -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            post, comment = _thread(fake)
            pm = fake.add_message("alice", "hi", "help")
            fake.moderated.add("okx")
            conn = _connector(fake)
            for target in (comment, post, pm):
                assert (
                    await conn.perform(
                        Action("reply", "reddit", target, f"to {target}", "support_request: x")
                    )
                ).startswith("replied t")
            assert [r["parent"] for r in fake.sent.replies] == [comment, post, pm]
            assert (
                await conn.perform(
                    Action("dm", "reddit", "alice", "rotate keys", "secret_leak: seed_phrase")
                )
                == "PM sent to u/alice"
            )
            assert fake.sent.pms == [
                {
                    "to": "alice",
                    "subject": "OKX: Your post was removed to protect your account",
                    "text": "rotate keys",
                }
            ]
            assert (
                await conn.perform(Action("delete", "reddit", comment, "", "secret_leak: x"))
                == "removed as moderator of r/OKX"
            )
            own = fake.sent.replies[0]["name"]
            assert (
                await conn.perform(Action("delete", "reddit", own, "", "x")) == "deleted own post"
            )
            assert (
                await conn.perform(Action("delete", "reddit", pm, "", "x"))
                == "deleted from the bot's inbox"
            )
            assert (fake.sent.removed, fake.sent.deleted) == ([comment], [own, pm])
            with pytest.raises(RedditError, match="no stored post by u/0kx_support to report"):
                await conn.perform(Action("report", "reddit", "0kx_support", "look-alike", "x"))
            with pytest.raises(RedditError, match="Telegram"):
                await conn.perform(Action("alert", "reddit", "admin", "leak", "x"))

    asyncio.run(scenario())


def test_removal_where_the_bot_is_no_moderator_fails_with_403_logged_once(caplog) -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            fake.add_user("bob", days_old=100)
            post = fake.add_submission("CryptoCurrency", "bob", "wallet question")
            leaks = [fake.add_comment(post, "bob", f"leak {n}") for n in range(2)]
            conn = _connector(fake)
            for leak in leaks:
                with pytest.raises(
                    RedditError, match="403 Forbidden: u/OKX_SupportBot does not moderate"
                ):
                    await conn.perform(
                        Action("delete", "reddit", leak, "", "secret_leak: seed_phrase")
                    )
            assert fake.sent.removed == []

    with caplog.at_level(logging.WARNING, logger="monitor.connectors.reddit"):
        asyncio.run(scenario())
    assert (
        len([r for r in caplog.records if "403 removing from r/CryptoCurrency" in r.getMessage()])
        == 1
    )


def _gap(fake: FakeReddit, path: str) -> float:
    """Seconds between the first two requests to `path` (the refused one and its retry)."""
    times = [t for t, _, p in fake.requests if p.rstrip("/") == path]
    assert len(times) >= 2, times
    return times[1] - times[0]


def test_429_on_a_read_is_waited_out_and_retried(caplog) -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            _, comment = _thread(fake)
            fake.fail_next("/r/OKX/comments", 429, {"Retry-After": "1"})
            got = await _watch(_connector(fake), lambda g: comment in [p.id for p in g])
            assert len([p for p in got if p.id == comment]) == 1
            assert _gap(fake, "/r/OKX/comments") >= 1.0

    with caplog.at_level(logging.WARNING, logger="monitor.connectors.reddit"):
        asyncio.run(scenario())
    assert any("429 on poll; retrying in 1.0s" in r.getMessage() for r in caplog.records)


def test_429_on_a_write_is_waited_out_and_sent_once() -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            _, comment = _thread(fake)
            fake.fail_next("/api/comment", 429, {"Retry-After": "1"})
            await _connector(fake).perform(
                Action("reply", "reddit", comment, "see live chat", "support_request: x")
            )
            assert len(fake.sent.replies) == 1 and _gap(fake, "/api/comment") >= 1.0

    asyncio.run(scenario())


def test_ratelimit_error_in_json_body_is_slept_on_and_retried() -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            _, comment = _thread(fake)
            fake.ratelimit_comment.append("Take a break for 1 second before trying again.")
            await _connector(fake).perform(
                Action("reply", "reddit", comment, "see live chat", "support_request: x")
            )
            assert len(fake.sent.replies) == 1 and _gap(fake, "/api/comment") >= 1.0

    asyncio.run(scenario())


def test_ratelimit_longer_than_configured_fails_the_action_naming_it() -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            _, comment = _thread(fake)
            fake.ratelimit_comment.append("Take a break for 9 minutes before trying again.")
            with pytest.raises(RedditError, match="RATELIMIT: Take a break for 9 minutes"):
                await _connector(fake).perform(
                    Action("reply", "reddit", comment, "hi", "support_request: x")
                )
            assert fake.sent.replies == []

    asyncio.run(scenario())


def test_server_error_once_is_retried() -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            fake.add_user("dave", days_old=50)
            pm = fake.add_message("dave", "hi", "question")
            fake.fail_next("/message/unread", 500)
            got = await _watch(_connector(fake), lambda g: bool(g))
            assert [p.id for p in got] == [pm]

    asyncio.run(scenario())


def _settings(tmp_path: Path, reddit: str) -> config.Settings:
    """The example config with a [reddit] table appended."""
    path = tmp_path / "monitor.toml"
    path.write_text(
        config.DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
            'phishing_list = "', 'phishing_list = "' + str(config.DEFAULT_CONFIG.parent) + "/"
        )
        + reddit,
        encoding="utf-8",
    )
    return config.load(path)


def test_missing_credential_disables_only_reddit_with_one_log_line(
    tmp_path, monkeypatch, caplog
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDDIT_PASSWORD")
    settings = _settings(tmp_path, '\n[reddit]\nenabled = true\nsubreddits = ["OKX"]\n')
    with caplog.at_level(logging.INFO):
        assert build_connectors(settings, Store(":memory:")) == []
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["reddit connector disabled: environment variable REDDIT_PASSWORD not set"]
    monkeypatch.setenv("REDDIT_PASSWORD", ENV["REDDIT_PASSWORD"])
    assert [c.name for c in build_connectors(settings, Store(":memory:"))] == ["reddit"]


def test_config_names_env_vars_user_agent_and_subreddits(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MY_ID", "i"), monkeypatch.setenv("MY_SECRET", "s")
    monkeypatch.setenv("MY_USER", "u"), monkeypatch.setenv("MY_PASS", "p")
    table = (
        '\n[reddit]\nenabled = true\nclient_id_env = "MY_ID"\nclient_secret_env = "MY_SECRET"\n'
        'username_env = "MY_USER"\npassword_env = "MY_PASS"\n'
        'user_agent = "linux:okx-watch:2.0 (by /u/u)"\n'
        'subreddits = ["r/OKX", "CryptoCurrency"]\nbackfill = 0\nbackfill_hours = 0.5\n'
        "bad_subreddit_retry = 600\nprofile_reserve = 50\n"
    )
    cfg = read_config(_settings(tmp_path, table))
    assert (cfg.client_id, cfg.client_secret, cfg.username, cfg.password) == ("i", "s", "u", "p")
    assert cfg.user_agent == "linux:okx-watch:2.0 (by /u/u)" and cfg.subreddits == (
        "OKX",
        "CryptoCurrency",
    )
    assert cfg.backfill == 0 and cfg.base_url is None
    assert (cfg.backfill_hours, cfg.bad_subreddit_retry, cfg.profile_reserve) == (0.5, 600, 50)
    assert RedditConfig("i", "s", "u", "p", "ua").backfill_hours == 2.0  # default: a small window
    with pytest.raises(
        config.ConfigError, match="'reddit.subreddits' has an invalid name 'no spaces'"
    ):
        read_config(_settings(tmp_path, table.replace('"CryptoCurrency"', '"no spaces"')))
    monkeypatch.delenv("MY_ID"), monkeypatch.delenv("MY_PASS")
    with pytest.raises(MissingCredential, match="^environment variables MY_ID, MY_PASS not set$"):
        read_config(_settings(tmp_path, table))


def test_inbox_replies_and_mentions_link_from_context_as_reddit_serves_them() -> None:
    # Real inbox comments carry `context`, not `permalink`; reading
    # permalink crash-looped the connector.
    async def scenario() -> None:
        async with new_fake() as fake:
            fake.add_user("alice", days_old=900)
            fake.add_user("bob", days_old=90)
            post = fake.add_submission("OKX", BOT, "Weekly support thread")
            ours = fake.add_comment(post, BOT, "Ask here")
            reply = fake.add_comment(ours, "alice", "my deposit is missing")
            mention = fake.add_comment(post, "bob", f"u/{BOT} can you check my ticket?")
            got = await _watch(_connector(fake), lambda g: {reply, mention} <= {p.id for p in g})
            by_id = {p.id: p for p in got[::-1]}  # the inbox's copy, read before r/OKX lists it too
            for item in (reply, mention):
                assert by_id[item].url == (
                    f"https://www.reddit.com/r/OKX/comments/{post[3:]}/post/{item[3:]}/?context=3"
                )
            assert by_id[reply].reply_to == ours and by_id[mention].text.endswith(
                "check my ticket?"
            )
            assert sorted(fake.sent.read) == sorted([reply, mention]) and not fake.unread

    asyncio.run(scenario())


def test_a_refused_subreddit_is_logged_once_skipped_and_asked_again_later(caplog) -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            fake.add_subreddit("BannedOne", "banned")
            fake.add_subreddit("PrivateOne", "private")
            post, comment = _thread(fake)
            conn = _connector(
                fake,
                subreddits=("NoSuchSub", "BannedOne", "PrivateOne", "OKX"),
                bad_subreddit_retry=0.4,
            )
            got = await _watch(conn, lambda g: comment in [p.id for p in g])
            assert [p.id for p in got] == [post, comment]
            assert set(conn.conditions()) == {"r/NoSuchSub", "r/BannedOne", "r/PrivateOne"}
            assert "no such subreddit" in conn.conditions()["r/NoSuchSub"].message
            late = fake.add_submission("NoSuchSub", "alice", "now it exists")  # created meanwhile
            got = await _watch(conn, lambda g: late in [p.id for p in g])
            assert [p.id for p in got] == [late] and "r/NoSuchSub" not in conn.conditions()
            asked = [t for t, _, path in fake.requests if path.rstrip("/") == "/r/BannedOne/new"]
            assert len(asked) >= 2 and min(b - a for a, b in itertools.pairwise(asked)) >= 0.4

    with caplog.at_level(logging.INFO, logger="monitor.connectors.reddit"):
        asyncio.run(scenario())
    skipped = [r.getMessage() for r in caplog.records if "skipped:" in r.getMessage()]
    assert len(skipped) == 3, skipped  # once each, however many polls
    assert any(
        "r/NoSuchSub skipped: no such subreddit (Reddit redirects the name to "
        "/subreddits/search)" in line
        for line in skipped
    )
    assert any("r/BannedOne skipped: banned or not found (404)" in line for line in skipped)
    assert any("r/PrivateOne skipped: private or quarantined (403)" in line for line in skipped)
    assert "r/NoSuchSub can be read again" in caplog.text
    assert "crashed" not in caplog.text and "Traceback" not in caplog.text


def _aged(fake: FakeReddit, fullname: str, hours: float) -> str:
    """Make a thing `hours` old."""
    fake.things[fullname]["created_utc"] = time.time() - hours * 3600
    return fullname


def test_first_run_handles_only_the_last_backfill_hours_and_remembers_the_newest() -> None:
    async def scenario() -> None:
        store = Store(":memory:")
        async with new_fake() as fake:
            fake.add_user("alice", days_old=900)
            old = [
                _aged(fake, fake.add_submission("OKX", "alice", f"old {n}"), 30 * 24 - n)
                for n in range(3)
            ]
            recent = _aged(fake, fake.add_submission("OKX", "alice", "recent"), 0.5)
            conn = _connector(fake, store, backfill_hours=2.0)
            got = await _watch(conn, lambda g: bool(g))
            await asyncio.sleep(0.2)
            assert [p.id for p in got] == [recent] and old[0] not in [p.id for p in got]
            stale = [_aged(fake, fake.add_comment(old[0], "alice", "weeks ago"), 24 * 20)]
            conn = _connector(fake, Store(":memory:"), backfill_hours=2.0)  # a first run, all stale
            got = await _watch(
                conn, lambda g: conn.store.cursor("reddit:r/OKX:comments") is not None
            )
            assert got == [] or [p.id for p in got] == [recent]
            assert conn.store.cursor("reddit:r/OKX:comments") == stale[0]
            fresh = fake.add_comment(old[0], "alice", "just now")
            got = await _watch(conn, lambda g: fresh in [p.id for p in g])
            assert stale[0] not in [p.id for p in got]

    asyncio.run(scenario())


def test_profiles_are_asked_once_per_author_and_not_while_the_rate_budget_is_low(caplog) -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            post, _ = _thread(fake)
            fake.add_user("bob", days_old=30)
            for n in range(6):
                fake.add_comment(post, "alice" if n % 2 else "bob", f"comment {n}")
            conn = _connector(fake, profile_reserve=100)
            await _watch(conn, lambda g: len(g) >= 8)
            profiles = [p.rstrip("/") for _, _, p in fake.requests if p.startswith("/user/")]
            assert sorted(profiles) == ["/user/alice/about", "/user/bob/about"]
            fake.ratelimit = (40.0, 960, 1)  # 40 requests left: polling and replies come first
            fake.add_user("carol", days_old=3)
            late = [fake.add_comment(post, "carol", f"late {n}") for n in range(2)]
            got = await _watch(conn, lambda g: set(late) <= {p.id for p in g})
            assert all(p.author.created_at is None for p in got if p.id in late)
            assert not [p for _, _, p in fake.requests if p.startswith("/user/carol")]
            fake.ratelimit = (900.0, 100, 500)
            later = fake.add_comment(post, "carol", "once more")
            got = await _watch(conn, lambda g: later in {p.id for p in g})
            assert [p.author.created_at is not None for p in got if p.id == later] == [True]

    with caplog.at_level(logging.WARNING, logger="monitor.connectors.reddit"):
        asyncio.run(scenario())
    assert caplog.text.count("40 requests left in the rate window (profile_reserve 100)") == 1
