"""Reddit enforcement through asyncpraw and the loopback fake: the bot's moderator permissions per
subreddit, bans with a duration (restrict), bans, unbans, reports, and refusals said once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace

import pytest
from fakes.reddit import BOT, ENV, FakeReddit, eventually, new_fake

from monitor.connectors.reddit.stream import (
    RedditConfig,
    RedditConnector,
    RedditError,
    default_user_agent,
)
from monitor.core.models import Action, Post
from monitor.store import Store

REASON = "impersonation: lookalike_handle"


def _connector(fake: FakeReddit, store: Store | None = None, minutes: int = 1440,
               **over: object) -> RedditConnector:
    """A connector for the fake's account watching r/OKX, polling fast."""
    cfg = RedditConfig(ENV["REDDIT_CLIENT_ID"], ENV["REDDIT_CLIENT_SECRET"], BOT,
                       ENV["REDDIT_PASSWORD"], default_user_agent(BOT), fake.url, ("OKX",),
                       poll_interval=0.05, max_retry_wait=3.0)
    return RedditConnector(replace(cfg, **over), store or Store(":memory:"), "OKX",  # type: ignore[arg-type]
                           restrict_minutes=minutes)


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


def _enforce(kind: str, name: str, sub: str = "OKX") -> Action:
    """A restrict, ban or unban in a subreddit, as the policy plans it."""
    return Action(kind, "reddit", name, f"{kind}: impersonating support", REASON, place=sub)


@pytest.mark.parametrize(("permissions", "expected"), [
    (["all"], {"delete", "restrict", "ban", "unban"}),
    (["posts"], {"delete"}),
    (["access", "mail"], {"restrict", "ban", "unban"}),
    (None, set()),  # not a moderator there
])
def test_posts_carry_their_subreddit_and_the_bots_permissions(permissions, expected) -> None:
    async def scenario() -> Post:
        async with new_fake() as fake:
            fake.add_user("alice", days_old=900)
            fake.moderators["okx"] = ["alice", BOT] if permissions else ["alice"]
            fake.permissions[BOT.casefold()] = permissions or []
            fake.add_submission("OKX", "alice", "gm", "nice day")
            posts = await _watch(_connector(fake), lambda got: len(got) == 1)
            return posts[0]

    post = asyncio.run(scenario())
    assert post.place == "OKX" and post.bot_may == expected


def test_an_unreadable_moderator_list_leaves_the_rights_unknown() -> None:
    async def scenario() -> Post:
        async with new_fake() as fake:
            fake.add_user("alice", days_old=900)
            fake.add_submission("OKX", "alice", "gm", "nice day")  # no list: 403
            return (await _watch(_connector(fake), lambda got: len(got) == 1))[0]

    post = asyncio.run(scenario())
    assert post.place == "OKX" and post.bot_may is None


def test_restrict_ban_unban_and_report_reach_reddit() -> None:
    async def scenario() -> FakeReddit:
        async with new_fake() as fake:
            fake.add_user("0kx_support", days_old=3)
            fake.moderated.add("okx")
            scam = fake.add_submission("OKX", "0kx_support", "Support desk", "DM me your ticket")
            store = Store(":memory:")
            conn = _connector(fake, store, minutes=1500)  # a day and an hour: two days on Reddit
            await _watch(conn, lambda got: bool(got and store.add_post(got[0])))
            assert await conn.perform(_enforce("restrict", "0kx_support")) == \
                "banned from r/OKX for 2 day(s)"
            assert fake.bans[("okx", "0kx_support")] == "2"
            assert await conn.perform(_enforce("unban", "0kx_support")) == "unbanned from r/OKX"
            assert not fake.bans
            assert await conn.perform(_enforce("ban", "0kx_support")) == "banned from r/OKX"
            assert fake.bans[("okx", "0kx_support")] == ""  # for good
            report = Action("report", "reddit", "0kx_support", "handle looks like okx's", REASON)
            assert await conn.perform(report) == f"reported {scam} to Reddit"
            return fake

    fake = asyncio.run(scenario())
    assert [m["api"] for m in fake.sent.moderated] == ["friend", "unfriend", "friend"]
    assert fake.sent.moderated[0]["ban_reason"] == REASON
    assert fake.sent.reported == [{"id": fake.sent.reported[0]["id"],
                                   "reason": "Impersonating the brand's support: handle looks "
                                             "like okx's"}]


def test_a_refusal_names_reddits_answer_and_is_said_once(caplog) -> None:
    caplog.set_level(logging.WARNING)

    async def scenario() -> list[str]:
        async with new_fake() as fake:
            fake.add_user("0kx_support", days_old=3)
            fake.moderated.add("okx")
            fake.permissions[BOT.casefold()] = ["posts"]  # may remove, not ban
            conn = _connector(fake)
            failures = []
            for kind in ("restrict", "restrict", "ban"):
                with pytest.raises(RedditError) as refused:
                    await conn.perform(_enforce(kind, "0kx_support"))
                failures.append(str(refused.value))
            with pytest.raises(RedditError, match="not its id"):
                await conn.perform(_enforce("ban", "t2_abc"))
            assert not fake.bans
            return failures

    failures = asyncio.run(scenario())
    assert failures[0] == ("reddit refused restrict (403 Forbidden: u/OKX_SupportBot does not "
                           "moderate r/OKX with the Access permission)")
    assert caplog.text.count("cannot restrict in r/OKX") == 1
    assert caplog.text.count("cannot ban in r/OKX") == 1
