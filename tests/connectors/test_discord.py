"""Discord connector on the real discord.py against the loopback fake: watching, acting, faults."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import discord
import pytest
from fakes.discord import TOKEN, FakeDiscord, wait_for

from monitor.connectors.discord.gateway import INTENT_ERROR, DiscordConnector, NotSupported, Options
from monitor.connectors.protocol import ConnectorFatal
from monitor.core.models import Action, Post
from monitor.runtime import daemon
from monitor.runtime.health import Health
from monitor.store import Store


@asynccontextmanager
async def watching(
    fake: FakeDiscord, store: Store | None = None, **options: object
) -> AsyncIterator[tuple[DiscordConnector, list[Post]]]:
    """The connector running against the fake, with the posts it emitted."""
    opts = Options(
        api_base=fake.api_base,
        gateway_url=fake.gateway_url,
        **options,  # type: ignore[arg-type]
    )
    connector = DiscordConnector(TOKEN, store or Store(":memory:"), opts)
    posts: list[Post] = []

    async def emit(post: Post) -> None:
        posts.append(post)

    task = asyncio.create_task(connector.run(emit))
    try:
        await wait_for(lambda: fake.connected() or task.done())
        yield connector, posts
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def act(kind: str, target: str, text: str = "") -> Action:
    """An action as the policy would plan it."""
    return Action(kind, "discord", target, text, "test")


def run(coro: object) -> None:
    """Run one scenario with its own fake on a fresh event loop."""
    asyncio.run(coro)  # type: ignore[arg-type]


def test_guild_messages_and_dms_become_posts() -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        alice = fake.add_user("alice", "Alice A", created=datetime(2019, 5, 1, tzinfo=UTC))
        async with watching(fake, message_content=True) as (_, posts):
            asked = await fake.post(fake.general, alice, "my withdrawal is stuck")
            answer = await fake.post(fake.general, alice, "still stuck", reply_to=int(asked["id"]))
            private = await fake.post(fake.dm_channel(alice), alice, "hello in private")
            await wait_for(lambda: len(posts) == 3)
        await fake.stop()
        first, second, third = posts
        assert first.id == f"{fake.general}:{asked['id']}" and first.channel == "group"
        assert first.text == "my withdrawal is stuck" and first.platform == "discord"
        assert (
            first.url
            == f"https://discord.com/channels/{fake.guild_id}/{fake.general}/{asked['id']}"
        )
        assert first.author.handle == "alice" and first.author.name == "Alice A"
        assert first.author.id == alice["id"] and first.author.created_at.year == 2019
        assert second.reply_to == first.id and second.id.endswith(answer["id"])
        assert third.channel == "dm" and third.id == f"{fake.dm_channel(alice)}:{private['id']}"

    run(scenario())


def test_a_server_nickname_is_the_name_members_see() -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        mike = fake.add_user("mike_7781", "Mike")
        fake.set_nick(mike, "OKX Support | Admin")
        async with watching(fake, message_content=True) as (_, posts):
            await fake.post(fake.general, mike, "open a ticket with me")
            await fake.post(fake.dm_channel(mike), mike, "hello in private")
            await wait_for(lambda: len(posts) == 2)
        await fake.stop()
        in_guild, in_dm = posts
        assert in_guild.author.name == "OKX Support | Admin / Mike"
        assert in_dm.author.name == "Mike"  # no server, no nickname

    run(scenario())


def test_posts_carry_the_moderators_met_so_far_and_a_demoted_one_leaves() -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        moderator = fake.add_role("Moderator", 8192)  # manage messages
        helper = fake.add_role("Helper", 0)  # a role with no moderation permission
        kai, dana = fake.add_user("kai_okx", "Kai"), fake.add_user("dana", "Dana")
        fake.give_role(kai, moderator)
        fake.give_role(dana, helper)
        async with watching(fake, message_content=True) as (_, posts):
            await fake.post(fake.general, kai, "welcome all")
            await fake.post(fake.general, dana, "hi")
            await fake.post(fake.dm_channel(dana), dana, "hello in private")
            await wait_for(lambda: len(posts) == 3)
            fake.member_roles[int(kai["id"])] = []  # the moderator role is taken away
            await fake.post(fake.general, kai, "back as a member")
            await wait_for(lambda: len(posts) == 4)
        await fake.stop()
        staff = [[m.handle for m in p.staff] for p in posts]
        assert staff == [["kai_okx"], ["kai_okx"], [], []]  # no staff in a DM; none once demoted
        assert posts[0].by_staff and not posts[1].by_staff and not posts[3].by_staff

    run(scenario())


def test_an_edit_is_a_post_of_its_own_and_a_preview_update_is_not() -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        alice = fake.add_user("alice")
        async with watching(fake, message_content=True) as (_, posts):
            first = await fake.post(fake.general, alice, "see okx.com")
            await wait_for(lambda: len(posts) == 1)
            # a link preview: no edit time
            await fake._dispatch("MESSAGE_UPDATE", {**first, "embeds": []})
            await fake.edit(first, "see okx.com/help")
            await wait_for(lambda: len(posts) == 2)
        await fake.stop()
        original, edit = posts
        assert edit.edit_of == original.id and edit.id.startswith(f"{original.id}~e")
        assert edit.text == "see okx.com/help" and original.edit_of is None

    run(scenario())


def test_members_who_join_are_posts_only_with_the_members_intent() -> None:
    async def scenario() -> list[list[Post]]:
        seen = []
        for members in (True, False):
            fake = await FakeDiscord(content_intent_enabled=True).start()
            mike = fake.add_user("okx_support_desk", "OKX Support")
            async with watching(fake, message_content=True, members=members) as (_, posts):
                await fake.join(mike)
                await fake.post(fake.general, fake.add_user("alice"), "gm")
                await wait_for(lambda: any(p.text == "gm" for p in posts))
            await fake.stop()
            seen.append(posts)
        return seen

    with_intent, without = asyncio.run(scenario())
    [joined] = [p for p in with_intent if p.text == "[joined the server]"]
    assert joined.author.handle == "okx_support_desk" and joined.author.name == "OKX Support"
    assert joined.channel == "group" and "~j" in joined.id
    assert [p.text for p in without] == ["gm"]


def test_own_messages_are_ignored_and_configured_channels_filter() -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        other = fake.add_channel("off-topic")
        bob = fake.add_user("bob")
        async with watching(fake, message_content=True, channels=(fake.general,)) as (conn, posts):
            await fake.post(other, bob, "not watched")
            await fake.post(fake.general, bob, "watched")
            await wait_for(lambda: len(posts) == 1)
            await conn.perform(act("reply", posts[0].id, "our own answer"))
            await fake.post(fake.dm_channel(bob), bob, "a dm is always watched")
            await wait_for(lambda: len(posts) == 2)
        await fake.stop()
        assert [p.text for p in posts] == ["watched", "a dm is always watched"]

    run(scenario())


def test_without_the_content_intent_only_mentions_and_dms_are_read_and_it_is_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        fake = await FakeDiscord().start()  # as a new bot is: no message content
        bob = fake.add_user("bob")
        async with watching(fake, message_content=False) as (conn, posts):
            await fake.post(fake.general, bob, "content hidden from the bot")
            await fake.post(fake.general, bob, f"<@{fake.bot['id']}> help with my deposit")
            await fake.post(fake.dm_channel(bob), bob, "a private question")
            await wait_for(lambda: len(posts) == 2)
            health = Health(Store(":memory:"))
            health.watch([conn])
            ok, body = health.report()
        await fake.stop()
        assert [p.text for p in posts] == [
            f"<@{fake.bot['id']}> help with my deposit",
            "a private question",
        ]
        assert (
            "switch on the Message Content Intent"
            in body["conditions"]["discord"]["message_content"]
        )
        assert body["connectors"] == {} and ok  # a blind spot, reported; not a failure

    caplog.set_level(logging.WARNING, logger="monitor.connectors.discord")
    run(scenario())
    warned = [r.getMessage() for r in caplog.records if "message_content = false" in r.getMessage()]
    assert len(warned) == 1 and "set message_content = true in [discord]" in warned[0]


def test_intent_not_enabled_is_one_clear_error_and_no_restart(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=False).start()
        opts = Options(api_base=fake.api_base, gateway_url=fake.gateway_url, message_content=True)
        connector = DiscordConnector(TOKEN, Store(":memory:"), opts)
        with pytest.raises(ConnectorFatal, match="close code 4014"):
            await connector.run(lambda post: asyncio.sleep(0))
        ingest = daemon.Ingest(None, Store(":memory:"), {}, dry_run=True)  # type: ignore[arg-type]
        await asyncio.wait_for(daemon.supervise(connector, ingest, asyncio.Event()), 10)
        await fake.stop()
        assert fake.identifies == 2  # once per run above: the supervisor did not restart it

    caplog.set_level(logging.ERROR, logger="monitor")
    run(scenario())
    errors = [r.getMessage() for r in caplog.records if r.name.startswith("monitor")]
    assert errors == [INTENT_ERROR]


def test_reply_dm_delete_report_and_alert() -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        carol = fake.add_user("carol")
        async with watching(fake, message_content=True) as (conn, posts):
            leak = await fake.post(fake.general, carol, "something to remove")
            await wait_for(lambda: len(posts) == 1)
            target = posts[0].id
            assert await conn.perform(act("delete", target)) == "deleted"
            answer = await conn.perform(act("reply", target, "removed: it held sensitive data"))
            dm = await conn.perform(act("dm", carol["id"], "what to do now"))
            assert await conn.perform(act("report", carol["id"])) == (
                "no report API for bots on discord: takedown case to be opened"
            )
            with pytest.raises(NotSupported):
                await conn.perform(act("alert", "admin", "for the managers"))
            profile = await conn.profile(carol["id"])
        await fake.stop()
        assert fake.deleted == [(fake.general, int(leak["id"]))]
        notice = [m for m in fake.sent if m["channel_id"] == str(fake.general)]
        assert [m["content"] for m in notice] == ["removed: it held sensitive data"]
        assert answer == f"message {notice[0]['id']}"
        assert [m["content"] for m in fake.dms_to(carol)] == ["what to do now"] and dm.startswith(
            "dm "
        )
        assert (
            profile.handle == "carol"
            and profile.id == carol["id"]
            and profile.created_at is not None
        )

    run(scenario())


def test_reply_keeps_the_thread_without_pinging_the_author() -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        alice = fake.add_user("alice")
        async with watching(fake, message_content=True) as (conn, posts):
            asked = await fake.post(fake.general, alice, "where is my deposit")
            await wait_for(lambda: len(posts) == 1)
            await conn.perform(act("reply", posts[0].id, "please use live chat"))
        await fake.stop()
        [reply] = fake.replies_to(asked)
        assert reply["content"] == "please use live chat"
        assert fake.bodies[-1]["allowed_mentions"] == {"parse": []}  # nobody is pinged

    run(scenario())


def test_missing_permission_fails_the_action_and_is_logged_once_per_channel(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True, can_manage_messages=False).start()
        carol = fake.add_user("carol")
        async with watching(fake, message_content=True) as (conn, posts):
            for n in range(2):
                await fake.post(fake.general, carol, f"leak {n}")
            await wait_for(lambda: len(posts) == 2)
            for post in posts:
                with pytest.raises(discord.Forbidden) as refused:
                    await conn.perform(act("delete", post.id))
                assert refused.value.code == 50013
        await fake.stop()
        assert fake.deleted == []

    caplog.set_level(logging.WARNING, logger="monitor")
    run(scenario())
    lines = [r.getMessage() for r in caplog.records if r.name == "monitor.connectors.discord"]
    assert len(lines) == 1 and "HTTP 403, code 50013" in lines[0]


def test_rate_limit_is_honoured_then_the_reply_goes_out_once() -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        alice = fake.add_user("alice")
        async with watching(fake, message_content=True) as (conn, posts):
            await fake.post(fake.general, alice, "hello")
            await wait_for(lambda: len(posts) == 1)
            fake.fail("POST", r"/channels/\d+/messages", "429", retry_after=0.4)
            started = time.monotonic()
            await conn.perform(act("reply", posts[0].id, "answer"))
            waited = time.monotonic() - started
        await fake.stop()
        assert waited >= 0.4
        assert [m["content"] for m in fake.sent] == ["answer"]
        assert len([r for r in fake.requests if r[0] == "POST"]) == 2

    run(scenario())


def test_server_errors_and_network_drops_are_retried() -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        alice = fake.add_user("alice")
        async with watching(fake, message_content=True) as (conn, posts):
            await fake.post(fake.general, alice, "hello")
            await wait_for(lambda: len(posts) == 1)
            fake.fail("POST", r"/channels/\d+/messages", "500")
            await conn.perform(act("reply", posts[0].id, "after a 500"))
            fake.fail("POST", r"/users/@me/channels", "drop")
            await conn.perform(act("dm", alice["id"], "after a drop"))
        await fake.stop()
        assert [m["content"] for m in fake.sent] == ["after a 500", "after a drop"]

    run(scenario())


def test_gateway_drop_resumes_and_replays_what_was_missed() -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        bob = fake.add_user("bob")
        async with watching(fake, message_content=True) as (_, posts):
            await fake.post(fake.general, bob, "before")
            await wait_for(lambda: len(posts) == 1)
            await fake.drop_connections()
            await fake.post(fake.general, bob, "while the socket was down")
            await wait_for(lambda: len(posts) == 2, timeout=15)
        await fake.stop()
        assert fake.resumes >= 1 and fake.identifies == 1
        assert [p.text for p in posts] == ["before", "while the socket was down"]

    run(scenario())


def test_backfill_after_a_restart_reads_missed_messages_in_order(tmp_path) -> None:
    async def scenario() -> None:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        quiet = fake.add_channel("quiet")
        bob = fake.add_user("bob", created=datetime.now(UTC) - timedelta(days=900))
        store = Store(tmp_path / "m.db")
        async with watching(fake, store, message_content=True) as (conn, posts):
            await fake.post(fake.general, bob, "seen live")
            await fake.post(fake.dm_channel(bob), bob, "dm seen live")
            await wait_for(lambda: len(posts) == 2 and conn.client.is_ready())
        missed = ["missed 1", "missed 2"]
        for text in missed:
            await fake.post(fake.general, bob, text)
        await fake.post(fake.dm_channel(bob), bob, "missed dm")
        await fake.post(quiet, bob, "first words in a quiet channel")
        async with watching(fake, store, message_content=True) as (_, again):
            await wait_for(lambda: len(again) == 4)
            await fake.post(fake.general, bob, "live again")
            await wait_for(lambda: len(again) == 5)
        await fake.stop()
        texts = [p.text for p in again]
        assert texts[:2] == missed and texts[-1] == "live again"
        assert set(texts[2:4]) == {"missed dm", "first words in a quiet channel"}

    run(scenario())
