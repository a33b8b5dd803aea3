"""Contract tests on real X traffic (../shared/recorded/x, tweepy's VCR cassettes): the
connector against a loopback server answering with the recorded responses, and the project's X
fake in the recorded shapes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from monitor.connectors.twitter.timeline import (
    CURSOR_DMS,
    CURSOR_MENTIONS,
    TwitterConnector,
    make_client,
)
from monitor.core.models import Action, Author, Post
from monitor.store import Store
from tests.fakes.recorded import folder
from tests.fakes.twitter import CREDS, FakeX
from tests.fakes.x_recorded import DMS, ME, MENTIONS, TWEET, USER, RecordedX, Recordings

RECORDED = folder("x")
pytestmark = pytest.mark.skipif(
    RECORDED is None,
    reason="no recorded X traffic: ../shared/recorded/x is not beside the repository",
)
KEYS = (CREDS.consumer_key, CREDS.consumer_secret, CREDS.access_token, CREDS.access_token_secret)


@pytest.fixture(scope="module")
def rec() -> Recordings:
    """The recorded responses, read once."""
    assert RECORDED is not None
    return Recordings.load(RECORDED)


def _run(server: RecordedX, body: Callable[[RecordedX], Awaitable[Any]]) -> Any:
    """Start the server, run the scenario against it, stop the server."""

    async def main() -> Any:
        await server.start()
        try:
            return await body(server)
        finally:
            await server.close()

    return asyncio.run(main())


def _connector(server: RecordedX, store: Store, **over: Any) -> TwitterConnector:
    """The real connector, its real tweepy client sent to the server."""
    return TwitterConnector(
        make_client(KEYS, server.base_url), store, **{"poll_interval": 0.05, **over}
    )


class Collect:
    """An emit callback that keeps the posts and stores them, as the daemon does first."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.posts: list[Post] = []

    async def __call__(self, post: Post) -> None:
        self.posts.append(post)
        self.store.add_post(post)


def test_the_recorded_mentions_become_posts_oldest_first_and_paging_follows_next_token(
    rec: Recordings,
) -> None:
    # test_client_get_users_mentions.yaml: 10 mentions of @Twitter,
    # meta.next_token, no includes.users (tweepy's test asked for no expansions),
    # so the authors are unknown and the links carry no handle.
    recorded = rec.mentions.body

    async def body(server: RecordedX) -> None:
        store = Store(":memory:")
        conn, got = _connector(server, store), Collect(store)
        await conn.poll_mentions(got)
        ids = sorted((t["id"] for t in recorded["data"]), key=int)
        # oldest first, all ten (no created_at: none too old)
        assert [p.id for p in got.posts] == ids
        texts = {t["id"]: t["text"] for t in recorded["data"]}
        for post in got.posts:
            assert (post.platform, post.channel, post.reply_to) == ("twitter", "public", None)
            assert post.text == texts[post.id]  # t.co links as recorded: no entities to expand them
            assert post.author == Author(platform="twitter", id="", handle="")
            assert post.url == f"https://x.com/i/web/status/{post.id}"
            assert post.raw == next(t for t in recorded["data"] if t["id"] == post.id)
        assert "https://t.co/W5GxALkkZd" in got.posts[-1].text
        assert store.cursor(CURSOR_MENTIONS) == recorded["meta"]["newest_id"]
        row = store.post("twitter", "1578516295611748353")
        assert row is not None and (row["channel"], row["author_id"], row["url"]) == (
            "public",
            "",
            "https://x.com/i/web/status/1578516295611748353",
        )
        assert row["text"].startswith("@Twitter @TwitterSupport this is my ENTIRE feed")
        first, second = server.asked(f"/2/users/{rec.mentions_of}/mentions")
        assert "pagination_token" not in first.query and "since_id" not in first.query
        assert first.query["expansions"] == "author_id,referenced_tweets.id"
        assert {"created_at", "author_id", "entities"} <= set(
            first.query["tweet.fields"].split(",")
        )
        assert "verified_type" in first.query["user.fields"].split(",")
        assert second.query["pagination_token"] == recorded["meta"]["next_token"]
        # The budget follows the recorded x-rate-limit-* figures: 450 a
        # window, 448 left, one spent since.
        window = conn.budget.windows["mentions"]
        assert (window.limit, window.remaining) == (450, 447)
        # The next poll asks from the saved cursor; X has nothing
        # newer and nothing is emitted again.
        await conn.poll_mentions(got)
        assert len(got.posts) == 10
        assert (
            server.asked(f"/2/users/{rec.mentions_of}/mentions")[-1].query["since_id"]
            == recorded["meta"]["newest_id"]
        )
        assert server.rejected == 0

    _run(RecordedX(rec), body)


def test_get_me_is_the_recorded_account(rec: Recordings) -> None:
    # test_client_get_me.yaml: @TweepyDev.
    async def body(server: RecordedX) -> None:
        conn = _connector(server, Store(":memory:"))
        assert await conn.my_id() == rec.me.body["data"]["id"] == "1072250532645998596"
        assert [s.path for s in server.seen] == ["/2/users/me"]

    _run(RecordedX(rec, me="get_me"), body)


def test_the_recorded_dm_events_become_dm_posts_and_the_empty_answer_emits_nothing(
    rec: Recordings,
) -> None:
    # test_manage_and_lookup_direct_messages.yaml: GET /2/dm_events (empty, result_count 0), and the
    # conversation's two MessageCreate events with next_token served on /2/dm_events.
    async def empty(server: RecordedX) -> None:
        store = Store(":memory:")
        got = Collect(store)
        await _connector(server, store).poll_dms(got)
        assert got.posts == [] and store.cursor(CURSOR_DMS) is None
        [asked] = server.asked("/2/dm_events")
        assert asked.query["event_types"] == "MessageCreate"
        assert "sender_id" in asked.query["expansions"]
        assert {"created_at", "sender_id"} <= set(asked.query["dm_event.fields"].split(","))

    _run(RecordedX(rec), empty)

    async def events(server: RecordedX) -> None:
        store = Store(":memory:")
        got = Collect(store)
        conn = _connector(server, store)
        await conn.poll_dms(got)
        recorded = rec.conversation.body
        assert [(p.id, p.text) for p in got.posts] == [
            ("1585800613253812228", "Testing 1"),
            ("1585800613752881156", "Testing 2"),
        ]
        assert [p.id for p in got.posts] == sorted((e["id"] for e in recorded["data"]), key=int)
        for post in got.posts:
            assert (post.platform, post.channel, post.url) == ("twitter", "dm", "")
            # no sender_id recorded
            assert post.author == Author(platform="twitter", id="", handle="")
        assert store.cursor(CURSOR_DMS) == "1585800613752881156"
        first, second = server.asked("/2/dm_events")
        assert "pagination_token" not in first.query
        assert second.query["pagination_token"] == recorded["meta"]["next_token"]
        assert conn.budget.windows["dms"].remaining == 297  # the recorded 298 left, one spent since
        await conn.poll_dms(got)  # the same events again: already seen, nothing emitted
        assert len(got.posts) == 2

    _run(RecordedX(rec, dm_events="conversation"), events)


def test_a_reply_sends_what_x_accepts_and_reads_the_recorded_answer(rec: Recordings) -> None:
    # test_client_create_and_delete_tweet.yaml: POST /2/tweets answered 201 {"data":
    # {"id", "text"}}, DELETE /2/tweets/:id answered {"data": {"deleted": true}}; the
    # DM cassette's POST /2/dm_conversations/with/:id/messages answered 201 {"data":
    # {"dm_conversation_id", "dm_event_id"}}.
    target = rec.mentions.body["data"][0]["id"]
    recorded_request = json.loads(rec.create_tweet.request_body or "{}")

    async def body(server: RecordedX) -> None:
        store = Store(":memory:")
        conn = _connector(server, store)
        result = await conn.perform(
            Action("reply", "twitter", target, "Sorry about that", "support_request")
        )
        assert result == f"tweet {rec.create_tweet.body['data']['id']}"
        [sent] = server.asked("/2/tweets")
        assert sent.headers["Content-Type"] == "application/json"
        assert sent.body == {"text": "Sorry about that", "reply": {"in_reply_to_tweet_id": target}}
        # the recorded request's keys, plus the reply
        assert set(recorded_request) <= set(sent.body)
        assert type(sent.body["text"]) is type(recorded_request["text"]) is str

        result = await conn.perform(
            Action("dm", "twitter", "750362064426721281", "Hello", "support_request")
        )
        assert result == "dm event 1585800613253812228"
        [dm] = server.asked("/2/dm_conversations/with/750362064426721281/messages")
        assert (
            dm.body
            == {"text": "Hello"}
            == {k: "Hello" for k in json.loads(rec.create_dm.request_body or "{}")}
        )

        own = rec.create_tweet.body["data"]["id"]
        me = await conn.my_id()
        store.add_post(
            Post(
                platform="twitter",
                id=own,
                author=Author("twitter", me, "Twitter"),
                text="Test Tweet",
            )
        )
        assert await conn.perform(Action("delete", "twitter", own, "", "secret_leak")) == "deleted"
        assert [s.method for s in server.asked(f"/2/tweets/{own}")] == ["DELETE"]
        assert server.rejected == 0

    _run(RecordedX(rec), body)


def test_a_profile_is_read_from_the_recorded_user(rec: Recordings) -> None:
    # test_client_get_user.yaml: {"data": {"id": "783214", "name": "Twitter", "username":
    # "Twitter"}}, no profile fields; served for /2/users/783214 and by username.
    async def body(server: RecordedX) -> None:
        conn = _connector(server, Store(":memory:"))
        author = await conn.profile(server.user_id)
        assert author == Author(platform="twitter", id="783214", handle="Twitter", name="Twitter")
        assert (author.created_at, author.followers, author.verified, author.verified_type) == (
            None,
            None,
            None,
            None,
        )
        [asked] = server.asked("/2/users/783214")
        assert "verified_type" in asked.query["user.fields"].split(",")
        by_name = await asyncio.to_thread(conn.client.get_user, username="Twitter", user_auth=True)
        assert by_name.data.id == 783214 and by_name.data.username == "Twitter"

    _run(RecordedX(rec), body)


def test_a_suspended_users_profile_is_a_lookup_error_naming_the_suspension(rec: Recordings) -> None:
    # NOT recorded: the README promises a suspended user's `errors` in get_user, but the cassette
    # has none. This body is built from X's documented partial-error shape
    # (tests/fakes/x_recorded.py `suspended`): a 200 with `errors` and no `data`.
    async def body(server: RecordedX) -> None:
        server.suspended.add("1234567")
        conn = _connector(server, Store(":memory:"))
        with pytest.raises(LookupError, match=r"1234567.*User has been suspended: \[1234567\]"):
            await conn.profile("1234567")

    _run(RecordedX(rec), body)


# -- the project's fake answers in the recorded shapes ---------------------------------------------
def shape(value: Any) -> Any:
    """Keys and value types, nested: what a client can rely on, not the values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [shape(v) for v in value]
        return [items[0]] if items and all(i == items[0] for i in items) else items
    return type(value).__name__


def test_the_x_fake_answers_in_the_recorded_shapes(rec: Recordings) -> None:
    # Each endpoint asked of the fake as tweepy's tests asked real X (no fields or expansions, X's
    # defaults), its answer compared with the recorded one in keys and types:
    # MENTIONS, ME/USER, DMS (dm_events empty, events page, create DM), TWEET (create, delete).
    assert {MENTIONS, ME, USER, DMS, TWEET} <= {
        p.name
        for p in RECORDED.glob("*.yaml")  # type: ignore[union-attr]
    }

    async def body(fake: FakeX) -> None:
        client = make_client(KEYS, fake.base_url)
        alice = fake.add_user("alice")

        def get(path: str, **params: Any) -> Any:
            return client.request("GET", path, params=params, user_auth=True).json()

        empty = await asyncio.to_thread(get, "/2/dm_events")
        for n in range(11):  # more than the default page of 10: a next_token, as recorded
            fake.mention(alice, f"@okx help {n} https://example.com/{n}")
        for n in range(3):  # one more than the page asked for: a next_token, as recorded
            fake.dm(alice, f"Testing {n}")
        mentions = await asyncio.to_thread(get, f"/2/users/{fake.me}/mentions")
        me = await asyncio.to_thread(get, "/2/users/me")
        user = await asyncio.to_thread(get, f"/2/users/{alice}")
        events = await asyncio.to_thread(get, "/2/dm_events", max_results=2)
        created = (await asyncio.to_thread(client.create_tweet, text="Test Tweet")).data
        deleted = (await asyncio.to_thread(client.delete_tweet, created["id"])).data
        dm = (
            await asyncio.to_thread(
                client.create_direct_message, participant_id=alice, text="Testing 1"
            )
        ).data
        pairs = {
            "mentions": (mentions, rec.mentions.body),
            "get_me": (me, rec.me.body),
            "get_user": (user, rec.user.body),
            "dm_events (empty)": (empty, rec.dm_events.body),
            "dm_events": (events, rec.conversation.body),
            "create_tweet": ({"data": created}, rec.create_tweet.body),
            "delete_tweet": ({"data": deleted}, rec.delete_tweet.body),
            "create_dm": ({"data": dm}, rec.create_dm.body),
        }
        wrong = {
            name: (shape(fake_body), shape(real))
            for name, (fake_body, real) in pairs.items()
            if shape(fake_body) != shape(real)
        }
        assert not wrong, json.dumps(wrong, indent=1)

    async def main() -> None:
        fake = FakeX()
        await fake.start()
        try:
            await body(fake)
        finally:
            await fake.close()

    asyncio.run(main())


def test_the_shape_check_tells_a_missing_key_and_a_wrong_type() -> None:
    recorded = {
        "data": [{"id": "1", "text": "a", "edit_history_tweet_ids": ["1"]}],
        "meta": {"result_count": 1},
    }
    assert shape(recorded) == shape(
        {
            "data": [{"edit_history_tweet_ids": ["2"], "id": "2", "text": "b"}],
            "meta": {"result_count": 5},
        }
    )
    assert shape(recorded) != shape(
        {
            "data": [{"id": 1, "text": "a", "edit_history_tweet_ids": ["1"]}],
            "meta": {"result_count": 1},
        }
    )
    assert shape(recorded) != shape(
        {"data": [{"id": "1", "text": "a"}], "meta": {"result_count": 1}}
    )
