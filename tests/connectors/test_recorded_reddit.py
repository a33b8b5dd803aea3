"""Contract tests on real Reddit traffic (../shared/recorded/reddit, asyncpraw's cassettes):
`monitor run` and the connector against a loopback server answering with the recorded
responses; the fake's shapes."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.recorded import folder, reddit_cassette
from fakes.reddit import BOT, new_fake
from fakes.reddit_recorded import RecordedReddit, Recordings

from monitor.connectors.reddit.stream import RedditConfig, RedditConnector
from monitor.core.models import Action
from monitor.store import Store

RECORDED = folder("reddit")
pytestmark = pytest.mark.skipif(
    RECORDED is None,
    reason="no recorded Reddit traffic: ../shared/recorded/reddit is not beside the repository",
)
UNKNOWN = "no_such_sub_8812"
ENV = {
    "REDDIT_CLIENT_ID": "cid-recorded",
    "REDDIT_CLIENT_SECRET": "csecret-recorded",
    "REDDIT_USERNAME": "support_bot",
    "REDDIT_PASSWORD": "pw-recorded",
}
CONFIG = """
[brand]
name = "OKX"
domains = ["okx.com"]
live_chat_url = "https://www.okx.com/help"
ticket_url = "https://www.okx.com/support/submit-request"

[support]
use_encoder = false

[reddit]
enabled = true
base_url = "{base}"
subreddits = ["{unknown}", "askreddit"]
poll_interval = 0.5
backfill_hours = {hours}
"""


@pytest.fixture(scope="module")
def recordings() -> Recordings:
    """The recorded bodies, read once."""
    assert RECORDED is not None
    return Recordings.load(RECORDED)


class Background:
    """A RecordedReddit served from its own thread, for a `monitor run` subprocess to reach."""

    def __init__(self, recordings: Recordings) -> None:
        self.server = RecordedReddit(recordings)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> RecordedReddit:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(0), self.loop).result(10)
        return self.server

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.__aexit__(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def _hours_back(recordings: Recordings) -> int:
    """A backfill window reaching the oldest recorded listing item
    (the recordings are years old)."""
    oldest = min(
        c["data"]["created_utc"]
        for listing in (recordings.new, recordings.comments)
        for c in listing["data"]["children"]
    )
    return int((time.time() - oldest) / 3600) + 24


def _stored(db: Path) -> dict[str, str]:
    """Stored post id -> channel, or nothing before the database exists."""
    try:
        with sqlite3.connect(db) as conn:
            return dict(conn.execute("SELECT id, channel FROM posts WHERE platform = 'reddit'"))
    except sqlite3.Error:
        return {}


@pytest.fixture
def monitor_run(
    tmp_path: Path, recordings: Recordings
) -> Iterator[tuple[RecordedReddit, Path, Any]]:
    """`monitor run` on a config naming an unknown subreddit before
    r/askreddit, served the recordings."""
    with Background(recordings) as server:
        config = tmp_path / "monitor.toml"
        config.write_text(
            CONFIG.format(base=server.url, unknown=UNKNOWN, hours=_hours_back(recordings)),
            encoding="utf-8",
        )
        log = (tmp_path / "run.log").open("w+", encoding="utf-8")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor.cli",
                "run",
                "--config",
                str(config),
                "--db",
                str(tmp_path / "m.db"),
                "--log-format",
                "text",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **ENV},
            cwd=tmp_path,
        )
        try:
            yield server, tmp_path / "m.db", proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(60)
            log.seek(0)
            (tmp_path / "run.txt").write_text(log.read(), encoding="utf-8")
            log.close()


def test_monitor_run_stores_the_recorded_inbox_and_subreddit_and_marks_the_inbox_read(
    monitor_run: tuple[RecordedReddit, Path, Any], recordings: Recordings, tmp_path: Path
) -> None:
    server, db, proc = monitor_run
    inbox = {c["data"]["name"]: c for c in recordings.inbox}
    listed = {
        c["data"]["name"]
        for listing in (recordings.new, recordings.comments)
        for c in listing["data"]["children"]
    }
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        if set(inbox) | listed <= set(_stored(db)) and not server.unread:
            break
        time.sleep(0.5)
    # a few more polls: the unknown subreddit must not be asked again, nothing crashes
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0
    output = (tmp_path / "run.log").read_text(encoding="utf-8")
    stored = _stored(db)
    kinds = {c["data"].get("type") for c in inbox.values()}
    # a PM and both kinds of comment
    assert kinds == {"unknown", "comment_reply", "username_mention"}
    assert set(inbox) <= set(stored), "inbox items missing"
    assert {stored[name] for name in inbox} == {"dm", "public"}
    assert listed <= set(stored), "r/askreddit posts missing"
    assert sorted(server.done.read) == sorted(inbox) and server.unread == []
    assert "crashed" not in output and "Traceback" not in output, output[-3000:]
    assert output.count(f"r/{UNKNOWN} skipped: no such subreddit") == 1, output[-3000:]
    assert (
        server.done.paths.count(f"/r/{UNKNOWN}/new/") + server.done.paths.count(f"/r/{UNKNOWN}/new")
        == 1
    )
    with sqlite3.connect(db) as conn:
        urls = dict(conn.execute("SELECT id, url FROM posts"))
    reply = next(n for n, c in inbox.items() if c["data"].get("type") == "comment_reply")
    assert urls[reply] == "https://www.reddit.com" + inbox[reply]["data"]["context"]


def _connector(url: str, store: Store | None = None, **over: Any) -> RedditConnector:
    """A connector for the recorded server."""
    cfg = RedditConfig(
        *ENV.values(),
        user_agent="python:support-monitor:test (by /u/support_bot)",
        base_url=url,
        subreddits=("askreddit",),
        poll_interval=0.05,
        max_retry_wait=2.0,
        **over,
    )
    return RedditConnector(cfg, store or Store(":memory:"), "OKX")


def test_default_first_run_on_old_listings_emits_nothing_and_remembers_the_newest(
    recordings: Recordings,
) -> None:
    async def scenario() -> None:
        async with RecordedReddit(recordings) as server:
            conn = _connector(server.url)
            got: list[str] = []

            async def emit(post: Any) -> None:
                got.append(post.id)

            task = asyncio.create_task(conn.run(emit))
            deadline = time.monotonic() + 30
            while (
                conn.store.cursor("reddit:r/askreddit:comments") is None
                and not task.done()
                and time.monotonic() < deadline
            ):
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            # the inbox, not 2020's posts
            assert set(got) == {c["data"]["name"] for c in recordings.inbox}
            newest = recordings.new["data"]["children"][0]["data"]["name"]
            assert conn.store.cursor("reddit:r/askreddit:submissions") == newest
            assert (
                conn.store.cursor("reddit:r/askreddit:comments")
                == recordings.comments["data"]["children"][0]["data"]["name"]
            )

    asyncio.run(scenario())


def test_actions_and_profiles_read_the_recorded_answers(recordings: Recordings) -> None:
    async def scenario() -> None:
        async with RecordedReddit(recordings) as server:
            conn = _connector(server.url)
            comment = recordings.comments["data"]["children"][0]["data"]["name"]
            pm = next(c["data"]["name"] for c in recordings.inbox if c["kind"] == "t4")
            assert (
                await conn.perform(
                    Action("reply", "reddit", comment, "see live chat", "support_request: x")
                )
                == "replied t1_fx1ie8s"
            )  # the recorded new comment's id
            assert (
                await conn.perform(
                    Action("reply", "reddit", pm, "see live chat", "support_request: x")
                )
                == "replied t4_42p7ugk"
            )
            assert (
                await conn.perform(
                    Action("dm", "reddit", "subreddit_stats", "rotate", "secret_leak: x")
                )
                == "PM sent to u/subreddit_stats"
            )
            assert (
                await conn.perform(Action("delete", "reddit", comment, "", "secret_leak: x"))
                == "removed as moderator of r/AskReddit"
            )
            assert [w[0] for w in server.done.writes] == [
                "comment",
                "comment",
                "compose",
                "api/remove",
            ]
            user = await conn.profile("subreddit_stats")
            assert (
                user.handle == "subreddit_stats"
                and user.created_at is not None
                and user.created_at.year == 2011
            )
            author, karma = await conn._author("someone_reddit_does_not_know")  # 404: a bare author
            assert author.created_at is None and karma is None

    asyncio.run(scenario())


def _recorded_child(name: str, kind: str, when: Any = None) -> dict[str, Any]:
    """The first recorded listing child of a kind (optionally matching a predicate on its data)."""
    assert RECORDED is not None
    body = reddit_cassette(RECORDED / name)[1]["body"]
    return next(
        c["data"]
        for c in body["data"]["children"]
        if c["kind"] == kind and (when is None or when(c["data"]))
    )


def _types(data: dict[str, Any]) -> dict[str, str]:
    """Each key's JSON type; null is left out (Reddit sends null for many absent values)."""
    return {k: type(v).__name__ for k, v in data.items() if v is not None}


def _assert_shape(fake: dict[str, Any], real: dict[str, Any], what: str) -> None:
    """The fake's item has no key Reddit does not send, and every shared key has Reddit's type."""
    extra = set(fake) - set(real)
    assert not extra, f"{what}: keys real Reddit does not send: {sorted(extra)}"
    real_types = _types(real)
    wrong = {
        k: (t, real_types[k])
        for k, t in _types(fake).items()
        if k in real_types and t != real_types[k] and {t, real_types[k]} != {"int", "float"}
    }
    assert not wrong, f"{what}: types differ from real Reddit: {wrong}"


def test_the_fake_answers_in_the_recorded_shapes() -> None:
    async def scenario() -> dict[str, Any]:
        async with new_fake() as fake:
            fake.add_user("alice", days_old=10)
            post = fake.add_submission("OKX", BOT, "Thread")
            mine = fake.add_comment(post, BOT, "ours")
            fake.add_comment(mine, "alice", "a reply to the bot")
            fake.add_comment(post, "alice", f"hi u/{BOT}")
            fake.add_message("alice", "help", "a PM")
            inbox = {
                c["data"]["name"]: c["data"]
                for c in fake._listing_body([n for n in fake.inbox], None, inbox=True)["data"][
                    "children"
                ]
            }
            return {"inbox": inbox, "t3": fake.things[post], "t1": fake.things[mine]}

    got = asyncio.run(scenario())
    real_reply = _recorded_child("TestInbox.test_comment_replies.json", "t1")
    real_mention = _recorded_child("TestInbox.test_mentions.json", "t1")
    real_pm = _recorded_child("TestInbox.test_unread.json", "t4")
    for data in got["inbox"].values():
        real = {
            "comment_reply": real_reply,
            "post_reply": real_reply,
            "username_mention": real_mention,
        }.get(data.get("type"), real_pm)
        _assert_shape(data, real, f"inbox {data.get('type', 't4')}")
        assert bool(data["context"]) == data["name"].startswith("t1_") and "permalink" not in data
    _assert_shape(
        got["t3"], _recorded_child("TestSubredditListings.test_new.json", "t3"), "submission"
    )
    _assert_shape(
        got["t1"], _recorded_child("TestSubredditListings.test_comments.json", "t1"), "comment"
    )


def test_the_fake_refuses_subreddits_as_reddit_does() -> None:
    async def scenario() -> list[tuple[int, str]]:
        async with new_fake() as fake:
            fake.add_subreddit("gone", "banned")
            fake.add_subreddit("club", "private")
            return [
                await _status(fake.url, fake.token, f"/r/{name}/new")
                for name in ("nope", "gone", "club")
            ]

    assert asyncio.run(scenario()) == [
        (302, "https://www.reddit.com/subreddits/search.json?q=nope"),
        (404, '{"reason": "banned", "message": "Not Found", "error": 404}'),
        (403, '{"reason": "private", "message": "Forbidden", "error": 403}'),
    ]


async def _status(base: str, token: str, path: str) -> tuple[int, str]:
    """A raw GET as asyncprawcore sends it (no redirects followed): the
    status and the Location or body."""
    import aiohttp

    headers = {"Authorization": f"bearer {token}", "User-Agent": "support-monitor test"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(base + path, headers=headers, allow_redirects=False) as response,
    ):
        return response.status, response.headers.get("Location") or await response.text()
