"""Discord enforcement through discord.py and the loopback fake: the bot's rights per server from
its own member, timeouts, bans and unbans, and refusals said once."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from fakes.discord import (
    BAN_MEMBERS,
    MANAGE_MESSAGES,
    MODERATE_MEMBERS,
    TOKEN,
    FakeDiscord,
    wait_for,
)

from monitor.connectors.discord.gateway import DiscordConnector, Options, Refused
from monitor.core.models import Action, Post
from monitor.store import Store

REASON = "impersonation: lookalike_handle"


async def _connected(fake: FakeDiscord, posts: list[Post], **options: object) -> tuple[
        DiscordConnector, asyncio.Task[None]]:
    """The connector running against the fake (reading message content)."""
    opts = Options(api_base=fake.api_base, gateway_url=fake.gateway_url, message_content=True,
                   **options)  # type: ignore[arg-type]
    connector = DiscordConnector(TOKEN, Store(":memory:"), opts)

    async def emit(post: Post) -> None:
        posts.append(post)

    task = asyncio.create_task(connector.run(emit))
    await wait_for(lambda: fake.connected() or task.done())
    return connector, task


async def _stop(fake: FakeDiscord, task: asyncio.Task[None]) -> None:
    """Stop the connector and the fake."""
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await fake.stop()


def _enforce(fake: FakeDiscord, kind: str, user: dict[str, object]) -> Action:
    """A timeout, ban or unban in the fake's server, as the policy plans it."""
    return Action(kind, "discord", str(user["id"]), f"{kind}: impersonating support", REASON,
                  place=str(fake.guild_id))


@pytest.mark.parametrize(("permissions", "expected"), [
    (MANAGE_MESSAGES | MODERATE_MEMBERS | BAN_MEMBERS, {"delete", "restrict", "ban", "unban"}),
    (MANAGE_MESSAGES, {"delete"}),
    (8, {"delete", "restrict", "ban", "unban"}),  # administrator
    (0, set()),
])
def test_posts_carry_their_server_and_the_bots_permissions(permissions, expected) -> None:
    async def scenario() -> tuple[list[Post], int]:
        fake = await FakeDiscord(content_intent_enabled=True, bot_permissions=permissions).start()
        alice = fake.add_user("alice")
        posts: list[Post] = []
        _, task = await _connected(fake, posts)
        await fake.post(fake.general, alice, "gm")
        await fake.post(fake.dm_channel(alice), alice, "hello bot")
        await wait_for(lambda: len(posts) == 2)
        await _stop(fake, task)
        return posts, fake.guild_id

    (group, dm), guild_id = asyncio.run(scenario())
    assert group.bot_may == expected and group.place == str(guild_id)
    assert dm.place == "" and dm.bot_may is None


def test_timeout_ban_and_unban_reach_discord() -> None:
    async def scenario() -> FakeDiscord:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        impostor = fake.add_user("0kx_support")
        posts: list[Post] = []
        connector, task = await _connected(fake, posts, restrict_minutes=90)
        before = datetime.now(UTC)
        assert await connector.perform(_enforce(fake, "restrict", impostor)) == \
            "timed out for 90 minutes"
        until = datetime.fromisoformat(fake.timeouts[int(impostor["id"])])
        assert before + timedelta(minutes=89) < until < datetime.now(UTC) + timedelta(minutes=91)
        assert await connector.perform(_enforce(fake, "unban", impostor)) == "timeout lifted"
        assert int(impostor["id"]) not in fake.timeouts
        assert await connector.perform(_enforce(fake, "ban", impostor)) == "banned"
        assert fake.bans[int(impostor["id"])] == "ban: impersonating support"
        assert await connector.perform(_enforce(fake, "unban", impostor)) == "unbanned"
        assert not fake.bans
        await _stop(fake, task)
        return fake

    fake = asyncio.run(scenario())
    assert [what for what, _, _ in fake.moderated] == ["timeout", "untimeout", "ban", "unban"]


def test_a_refusal_names_the_code_and_is_said_once(caplog) -> None:
    caplog.set_level(logging.WARNING)

    async def scenario() -> list[str]:
        fake = await FakeDiscord(content_intent_enabled=True,
                                 bot_permissions=MANAGE_MESSAGES).start()
        impostor = fake.add_user("0kx_support")
        connector, task = await _connected(fake, [])
        failures = []
        for kind in ("restrict", "restrict", "ban"):
            with pytest.raises(Refused) as refused:
                await connector.perform(_enforce(fake, kind, impostor))
            failures.append(str(refused.value))
        with pytest.raises(ValueError, match="not in server"):
            await connector.perform(Action("ban", "discord", impostor["id"], "", REASON,
                                           place="42"))
        await _stop(fake, task)
        assert not fake.timeouts and not fake.bans
        return failures

    failures = asyncio.run(scenario())
    assert failures[0] == "discord refused restrict (HTTP 403, code 50013: Missing Permissions)"
    assert caplog.text.count("cannot restrict in server") == 1
    assert caplog.text.count("cannot ban in server") == 1
    assert "Moderate Members permission" in caplog.text
