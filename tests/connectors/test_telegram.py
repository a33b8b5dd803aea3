"""Telegram connector: python-telegram-bot driven against the loopback Bot API fake."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from telegram import Bot, Update

from monitor.connectors.backoff import Backoff
from monitor.connectors.protocol import ConnectorFatal
from monitor.connectors.roster import REFRESH_SECONDS
from monitor.connectors.telegram import ActionFailed, TelegramConnector, build
from monitor.connectors.telegram.admins import admin_roster, admins_of
from monitor.connectors.telegram.updates import CURSOR
from monitor.core import config
from monitor.core.models import Action, Post
from monitor.runtime.health import Health
from monitor.store import Store
from tests.fakes.telegram import Fault, TelegramFake, until, write_config

GROUP, PUBLIC_GROUP = -100111, -100222
ALICE, BOB = 11, 12


def _world(fake: TelegramFake) -> None:
    """Two users (only Alice started the bot), a private group where the bot
    is not admin, a public one."""
    fake.add_user(ALICE, "Alice", "alice", last_name="Liddell", started=True, bio="trader")
    fake.add_user(BOB, "Bob")
    fake.add_group(GROUP, "Traders", bot_is_admin=False)
    fake.add_group(PUBLIC_GROUP, "OKX Community", username="okx_community")


@asynccontextmanager
async def _connector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store | None = None
) -> AsyncIterator[tuple[TelegramFake, TelegramConnector]]:
    """A fake with the standard world and a connector built from a config pointed at it; privacy
    mode off, as these scenarios read every group message (test_privacy_mode... keeps it on)."""
    async with TelegramFake(can_read_all_group_messages=True) as fake:
        _world(fake)
        monkeypatch.setenv("TG_TOKEN", fake.token)
        settings = config.load(write_config(tmp_path, fake.base_url, admin_chat_id=GROUP))
        connector = build(settings, store or Store(":memory:"))
        connector.backoff = Backoff(0.01, 0.05)
        try:
            yield fake, connector
        finally:
            await connector.close()


async def _watch(
    connector: TelegramConnector,
    until_true: Callable[[], bool],
    emit: Callable[[Post], Awaitable[None]],
) -> None:
    """Run the connector until a condition holds, then stop it."""
    task = asyncio.create_task(connector.run(emit))
    try:
        await until(lambda: until_true() or task.done())
        if task.done():
            task.result()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_messages_become_posts_and_commands_go_to_the_command_hook(tmp_path, monkeypatch) -> None:
    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            first = fake.post(PUBLIC_GROUP, BOB, "where is my deposit?")
            fake.post(PUBLIC_GROUP, ALICE, "same here", reply_to=first)
            fake.post(ALICE, ALICE, "hello bot")
            fake.post(GROUP, BOB, "/status@okx_guard_bot")
            fake.post(GROUP, BOB, "/claim@other_bot free tokens")
            fake.post(GROUP, BOB, "")  # a sticker: no text
            posts: list[Post] = []
            commands: list[Update] = []

            async def on_command(update: Update) -> None:
                commands.append(update)
                raise RuntimeError("a failing command handler does not stop the watch")

            async def emit(post: Post) -> None:
                posts.append(post)

            connector.on_command = on_command
            await _watch(connector, lambda: fake.confirmed == 7, emit)
            assert [c.message.text for c in commands] == ["/status@okx_guard_bot"]
            by_text = {p.text: p for p in posts}
            assert set(by_text) == {
                "where is my deposit?",
                "same here",
                "hello bot",
                "/claim@other_bot free tokens",
            }
            group_post = by_text["where is my deposit?"]
            assert (group_post.id, group_post.channel) == (f"{PUBLIC_GROUP}:{first}", "group")
            assert group_post.url == f"https://t.me/okx_community/{first}"
            # no username
            assert (group_post.author.handle, group_post.author.name) == ("Bob", "Bob")
            reply = by_text["same here"]
            assert reply.reply_to == group_post.id
            assert (reply.author.id, reply.author.handle, reply.author.name) == (
                str(ALICE),
                "alice",
                "Alice Liddell",
            )
            dm = by_text["hello bot"]
            assert (dm.channel, dm.url) == ("dm", "")
            assert by_text["/claim@other_bot free tokens"].url == ""  # a private group has no link

    asyncio.run(scenario())


def test_the_offset_moves_only_after_every_update_of_a_poll_is_handled(
    tmp_path, monkeypatch
) -> None:
    store = Store(tmp_path / "m.db")

    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch, store) as (fake, connector):
            for text in ("one", "two", "three"):
                fake.post(GROUP, BOB, text)
            seen: list[str] = []

            async def dies_on_two(post: Post) -> None:
                if post.text == "two":
                    raise RuntimeError("process died mid-handler")
                seen.append(post.text)

            with pytest.raises(RuntimeError):
                await connector.run(dies_on_two)
            # "two" was not handled, so the poll is not confirmed
            assert store.cursor(CURSOR) is None

            async def emit(post: Post) -> None:
                seen.append(post.text)

            await _watch(connector, lambda: len(seen) == 5, emit)
            # The whole poll comes again (the daemon's store drops the posts it already holds).
            assert seen == ["one", "three", "one", "two", "three"]
            assert store.cursor(CURSOR) == "4"
            await until(lambda: store.cursor(CURSOR) == "4")

    asyncio.run(scenario())


def test_an_update_that_does_not_parse_is_skipped_by_id_and_the_rest_handled(
    tmp_path, monkeypatch, caplog
) -> None:
    store = Store(tmp_path / "m.db")

    async def scenario() -> list[str]:
        async with _connector(tmp_path, monkeypatch, store) as (fake, connector):
            fake.post(GROUP, BOB, "before")
            # An administrator without its rights fields: a shape the library cannot read.
            fake._queue(
                {
                    "chat_member": {
                        "chat": fake.chats[GROUP],
                        "from": fake.users[BOB],
                        "date": int(time.time()),
                        "old_chat_member": {"status": "member", "user": fake.users[BOB]},
                        "new_chat_member": {"status": "administrator", "user": fake.users[BOB]},
                    }
                }
            )
            fake.post(GROUP, BOB, "after")
            seen: list[str] = []

            async def emit(post: Post) -> None:
                seen.append(post.text)

            await _watch(connector, lambda: store.cursor(CURSOR) == "4", emit)
            return seen

    assert asyncio.run(scenario()) == ["before", "after"]
    assert "telegram: update 2 does not parse (TypeError); skipped" in caplog.text


def test_group_posts_carry_the_groups_admins_asked_for_once(tmp_path, monkeypatch, caplog) -> None:
    async def scenario() -> list[Post]:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            fake.add_admin(PUBLIC_GROUP, ALICE)
            fake.admins_hidden.add(GROUP)
            fake.post(GROUP, BOB, "first")
            fake.post(PUBLIC_GROUP, BOB, "hi")
            fake.post(PUBLIC_GROUP, BOB, "anyone?")
            fake.post(ALICE, ALICE, "hello bot")
            posts: list[Post] = []

            async def emit(post: Post) -> None:
                posts.append(post)

            await _watch(connector, lambda: len(posts) == 4, emit)
            # once per group, though one was refused
            assert fake.calls.count("getChatAdministrators") == 2
            return posts

    staff = {p.text: [(m.id, m.handle, m.name) for m in p.staff] for p in asyncio.run(scenario())}
    assert (
        staff["hi"]
        == staff["anyone?"]
        == [("11", "alice", "Alice Liddell"), ("900001", "okx_guard_bot", "Guard")]
    )
    # the refused list: the post goes on without it
    assert staff["first"] == [] and staff["hello bot"] == []
    assert caplog.text.count("getChatAdministrators in chat -100111 failed: 400") == 1


def test_a_groups_admins_are_asked_for_again_once_the_list_is_old() -> None:
    async def scenario() -> list[list[str]]:
        async with TelegramFake() as fake:
            _world(fake)
            fake.add_admin(PUBLIC_GROUP, ALICE)
            bot = Bot(fake.token, base_url=f"{fake.base_url}/bot")
            now = [0.0]
            roster = admin_roster(clock=lambda: now[0])

            async def handles() -> list[str]:
                return [
                    m.handle
                    for m in await admins_of(roster, bot, PUBLIC_GROUP, Backoff(0.01, 0.05))
                ]

            seen = [await handles()]
            fake.add_admin(PUBLIC_GROUP, BOB)
            now[0] = REFRESH_SECONDS - 1
            seen.append(await handles())  # still the list in hand
            now[0] = REFRESH_SECONDS + 1
            seen.append(await handles())
            assert fake.calls.count("getChatAdministrators") == 2
            await bot.shutdown()
            return seen

    assert asyncio.run(scenario()) == [
        ["alice", "okx_guard_bot"],
        ["alice", "okx_guard_bot"],
        ["alice", "", "okx_guard_bot"],
    ]  # Bob has no username


def test_reply_dm_delete_alert_and_report_reach_the_platform(tmp_path, monkeypatch) -> None:
    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            leak = fake.post(PUBLIC_GROUP, ALICE, "leaked")
            ref = f"{PUBLIC_GROUP}:{leak}"
            assert await connector.perform(Action("delete", "telegram", ref, "", "r")) == "deleted"
            answer = await connector.perform(Action("reply", "telegram", ref, "removed", "r"))
            assert answer.startswith(f"{PUBLIC_GROUP}:")
            await connector.perform(Action("dm", "telegram", str(ALICE), "what to do now", "r"))
            await connector.perform(Action("alert", "telegram", "admin", "a leak", "r"))
            assert await connector.perform(Action("report", "telegram", str(BOB), "e", "r")) == (
                "no report API for bots on telegram: takedown case to be opened"
            )
            assert fake.deleted == [(PUBLIC_GROUP, leak)]
            public = fake.sent_to(PUBLIC_GROUP)
            assert [m["text"] for m in public] == ["removed"]  # sent though its message is gone
            assert [m["text"] for m in fake.sent_to(ALICE)] == ["what to do now"]
            assert [m["text"] for m in fake.sent_to(GROUP)] == ["a leak"]
            profile = await connector.profile(str(ALICE))
            assert (profile.id, profile.handle, profile.name) == (
                str(ALICE),
                "alice",
                "Alice Liddell",
            )
            assert profile.created_at is None and profile.followers is None

    asyncio.run(scenario())


def test_flood_wait_is_honoured_and_the_message_sent_once(tmp_path, monkeypatch) -> None:
    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            fake.fail("sendMessage", Fault(429, "Too Many Requests: retry after 1", retry_after=1))
            started = time.monotonic()
            await connector.perform(Action("dm", "telegram", str(ALICE), "hi", "r"))
            assert time.monotonic() - started >= 1.0
            assert fake.calls.count("sendMessage") == 2
            assert len(fake.sent_to(ALICE)) == 1

    asyncio.run(scenario())


def test_5xx_and_dropped_connections_are_retried(tmp_path, monkeypatch, caplog) -> None:
    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            fake.fail("getUpdates", Fault(500), Fault(drop=True), Fault(502, "Bad Gateway"))
            fake.fail("sendMessage", Fault(503, "Service Unavailable"), Fault(500))
            fake.fail("getMe", Fault(500))
            fake.post(GROUP, BOB, "hello")
            posts: list[Post] = []

            async def emit(post: Post) -> None:
                posts.append(post)

            await _watch(connector, lambda: bool(posts), emit)
            await connector.perform(Action("dm", "telegram", str(ALICE), "hi", "r"))
            assert len(fake.sent_to(ALICE)) == 1
            assert not any(fake.faults.values())

    caplog.set_level(logging.WARNING)
    asyncio.run(scenario())
    assert "Bad Gateway" in caplog.text and "Service Unavailable" in caplog.text


def test_a_send_whose_answer_was_lost_is_not_repeated(tmp_path, monkeypatch) -> None:
    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            fake.fail("sendMessage", Fault(drop=True))
            with pytest.raises(ActionFailed, match="not resent"):
                await connector.perform(Action("dm", "telegram", str(ALICE), "hi", "r"))
            assert fake.calls.count("sendMessage") == 1

    asyncio.run(scenario())


def test_a_refused_action_fails_with_the_platform_code_and_is_logged_once(
    tmp_path, monkeypatch, caplog
) -> None:
    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            msg = fake.post(GROUP, BOB, "leaked")
            for _ in range(2):
                with pytest.raises(ActionFailed, match="403 Forbidden: bot can't initiate"):
                    await connector.perform(Action("dm", "telegram", str(BOB), "advice", "r"))
                with pytest.raises(ActionFailed, match="400 Message can't be deleted"):
                    await connector.perform(Action("delete", "telegram", f"{GROUP}:{msg}", "", "r"))
            with pytest.raises(ActionFailed, match="CHAT_ID:MESSAGE_ID"):
                await connector.perform(Action("reply", "telegram", "garbage", "x", "r"))
            assert fake.deleted == [] and fake.sent == []
            assert fake.calls.count("sendMessage") == 2  # a refusal is not retried

    caplog.set_level(logging.WARNING)
    asyncio.run(scenario())
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("monitor")]
    assert sum("dm in chat 12 failed: 403" in line for line in lines) == 1
    assert sum(f"delete in chat {GROUP} failed: 400" in line for line in lines) == 1


def test_alert_without_admin_chat_fails_clearly(tmp_path, monkeypatch) -> None:
    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (_, connector):
            connector.admin_chat_id = None
            with pytest.raises(ActionFailed, match="admin_chat_id"):
                await connector.perform(Action("alert", "telegram", "admin", "a leak", "r"))

    asyncio.run(scenario())


def test_a_second_poller_gets_a_clear_409_line(tmp_path, monkeypatch, caplog) -> None:
    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            bot = Bot(fake.token, base_url=f"{fake.base_url}/bot")
            other = TelegramConnector(bot, Store(":memory:"), poll_timeout=1)
            other.backoff = Backoff(0.01, 0.05)

            async def ignore(post: Post) -> None:
                return None

            tasks = [asyncio.create_task(c.run(ignore)) for c in (connector, other)]
            await until(lambda: "409 Conflict" in caplog.text)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await other.close()

    caplog.set_level(logging.WARNING)
    asyncio.run(scenario())
    assert "another process is polling with this bot token" in caplog.text


def test_a_rejected_token_stops_the_connector_without_showing_it(tmp_path, monkeypatch) -> None:
    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            fake.token = "999:other"
            with pytest.raises(ConnectorFatal) as caught:
                await connector.run(lambda post: asyncio.sleep(0))
            assert "TG_TOKEN" in str(caught.value) and "401" in str(caught.value)
            assert "TEST-token" not in str(caught.value)

    asyncio.run(scenario())


def test_no_token_or_message_text_reaches_the_logs(tmp_path, monkeypatch, caplog) -> None:
    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            fake.post(GROUP, BOB, "my password is Sup3r-Secret-77")
            posts: list[Post] = []

            async def emit(post: Post) -> None:
                posts.append(post)

            await _watch(connector, lambda: bool(posts), emit)
            fake.fail("sendMessage", Fault(500))
            await connector.perform(Action("reply", "telegram", posts[0].id, "reply text", "r"))
            return fake.token

    caplog.set_level(logging.DEBUG)
    token = asyncio.run(scenario())
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Sup3r-Secret-77" not in logged and "reply text" not in logged
    assert token not in logged


def test_a_garbled_answer_fails_the_action_without_logging_its_body(
    tmp_path, monkeypatch, caplog
) -> None:
    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            fake.fail(
                "sendMessage", Fault(body="<html>proxy error, echoed: Sup3r-Secret-77</html>")
            )
            with pytest.raises(ActionFailed):
                await connector.perform(Action("dm", "telegram", str(ALICE), "hi", "r"))

    caplog.set_level(logging.DEBUG)
    asyncio.run(scenario())
    assert "payload not logged" in caplog.text and "Sup3r-Secret-77" not in caplog.text


def test_privacy_mode_of_a_new_bot_is_reported_with_the_setting_to_change(
    tmp_path, monkeypatch, caplog
) -> None:
    # A bot BotFather just made has privacy mode on: in a group where it is no admin it gets only
    # commands for it, mentions of it and replies to it. The fake's default is that bot.
    async def scenario() -> tuple[list[str], bool, dict]:
        async with TelegramFake() as fake:
            _world(fake)
            monkeypatch.setenv("TG_TOKEN", fake.token)
            connector = build(config.load(write_config(tmp_path, fake.base_url)), Store(":memory:"))
            ours = fake.post(GROUP, BOB, "/status@okx_guard_bot")
            fake.post(GROUP, BOB, "my deposit is missing")  # withheld by Telegram
            fake.post(GROUP, BOB, "/claim@other_bot free tokens")  # another bot's command
            fake.post(GROUP, BOB, "@okx_guard_bot my deposit is missing")
            fake.post(GROUP, ALICE, "thanks", reply_to=ours)  # a reply, but not to the bot
            fake.post(PUBLIC_GROUP, BOB, "the bot is admin here: it reads this")
            posts: list[Post] = []

            async def emit(post: Post) -> None:
                posts.append(post)

            connector.on_command = lambda update: asyncio.sleep(0)
            await _watch(connector, lambda: len(posts) == 2, emit)
            health = Health(Store(":memory:"))
            health.watch([connector])
            ok, body = health.report()
            return sorted(p.text for p in posts), ok, body

    with caplog.at_level(logging.WARNING, logger="monitor.connectors.telegram"):
        texts, ok, body = asyncio.run(scenario())
    assert texts == ["@okx_guard_bot my deposit is missing", "the bot is admin here: it reads this"]
    setting = "in @BotFather send /setprivacy, pick the bot and choose Disable"
    assert ok and setting in body["conditions"]["telegram"]["privacy_mode"]
    assert caplog.text.count("privacy mode is on") == 1 and setting in caplog.text
