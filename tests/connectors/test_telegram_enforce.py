"""Telegram enforcement through python-telegram-bot and the loopback fake: the bot's rights per
group, restrict, ban and unban, and refusals said once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from monitor.connectors.backoff import Backoff
from monitor.connectors.telegram import ActionFailed, TelegramConnector, build
from monitor.core import config
from monitor.core.models import Action, Post
from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until, write_config

MODS, MEMBERS, READONLY = -100301, -100302, -100303  # restrict right; delete only; not an admin
OWNER, ALICE, IMPOSTOR = 31, 32, 66
REASON = "impersonation: lookalike_handle"


def _world(fake: TelegramFake) -> None:
    """Three groups with three levels of the bot's rights, an owner, a member and an impostor."""
    fake.add_group(MODS, "OKX Community", bot_can_restrict=True)
    fake.add_group(MEMBERS, "OKX Traders")
    fake.add_group(READONLY, "OKX Fans", bot_is_admin=False)
    fake.add_user(OWNER, "Olga", "olga")
    fake.add_user(ALICE, "Alice", "alice")
    fake.add_user(IMPOSTOR, "OKX Support", "0kx_support")
    for chat in (MODS, MEMBERS, READONLY):
        fake.add_admin(chat, OWNER)


@asynccontextmanager
async def _connector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                     extra: str = "") -> AsyncIterator[tuple[TelegramFake, TelegramConnector]]:
    """The fake's world and a connector built from a config pointed at it."""
    async with TelegramFake(can_read_all_group_messages=True) as fake:
        _world(fake)
        monkeypatch.setenv("TG_TOKEN", fake.token)
        settings = config.load(write_config(tmp_path, fake.base_url, extra=extra))
        connector = build(settings, Store(":memory:"))
        connector.backoff = Backoff(0.01, 0.05)
        try:
            yield fake, connector
        finally:
            await connector.close()


async def _posts(fake: TelegramFake, connector: TelegramConnector, count: int) -> list[Post]:
    """Run the connector until it emitted `count` posts."""
    posts: list[Post] = []

    async def emit(post: Post) -> None:
        posts.append(post)

    task = asyncio.create_task(connector.run(emit))
    try:
        await until(lambda: len(posts) >= count or task.done())
        if task.done():
            task.result()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return posts


def _enforce(kind: str, chat: int, user: int) -> Action:
    """A restrict, ban or unban of a member, as the policy plans it."""
    return Action(kind, "telegram", str(user), "", REASON, place=str(chat))


def test_posts_carry_their_group_and_what_the_bot_may_do_there(tmp_path, monkeypatch) -> None:
    async def scenario() -> dict[str, Post]:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            for chat in (MODS, MEMBERS, READONLY, MODS):
                fake.post(chat, ALICE, f"gm {chat}")
            fake.post(ALICE, ALICE, "hello bot")
            posts = await _posts(fake, connector, 5)
            assert fake.calls.count("getChatMember") == 3  # once per group, not per post
            return {p.text: p for p in posts}

    posts = asyncio.run(scenario())
    assert posts[f"gm {MODS}"].place == str(MODS)
    assert posts[f"gm {MODS}"].bot_may == {"delete", "restrict", "ban", "unban"}
    assert posts[f"gm {MEMBERS}"].bot_may == {"delete"}
    assert posts[f"gm {READONLY}"].bot_may == frozenset()
    assert posts["hello bot"].place == "" and posts["hello bot"].bot_may is None


def test_rights_not_readable_are_unknown_and_said_once(tmp_path, monkeypatch, caplog) -> None:
    async def scenario() -> list[Post]:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            fake.rights_hidden.add(MODS)
            fake.post(MODS, ALICE, "one")
            fake.post(MODS, ALICE, "two")
            return await _posts(fake, connector, 2)

    posts = asyncio.run(scenario())
    assert [p.bot_may for p in posts] == [None, None]
    assert caplog.text.count(f"cannot read the bot's rights in chat {MODS}") == 1


def test_restrict_ban_and_unban_reach_telegram(tmp_path, monkeypatch) -> None:
    async def scenario() -> TelegramFake:
        async with _connector(tmp_path, monkeypatch, "\n[enforce]\nrestrict_minutes = 90\n") as (
                fake, connector):
            before = time.time()
            result = await connector.perform(_enforce("restrict", MODS, IMPOSTOR))
            assert result.startswith("restricted until")
            held = fake.restricted[(MODS, IMPOSTOR)]
            assert not held["permissions"]["can_send_messages"]
            assert before + 89 * 60 <= held["until_date"] <= time.time() + 91 * 60
            assert await connector.perform(_enforce("unban", MODS, IMPOSTOR)) == \
                "restriction lifted"
            assert (MODS, IMPOSTOR) not in fake.restricted
            assert await connector.perform(_enforce("ban", MODS, IMPOSTOR)) == "banned"
            assert (MODS, IMPOSTOR) in fake.banned
            assert await connector.perform(_enforce("unban", MODS, IMPOSTOR)) == "unbanned"
            assert (MODS, IMPOSTOR) not in fake.banned
            assert "nothing to lift" in await connector.perform(_enforce("unban", MODS, ALICE))
            return fake

    fake = asyncio.run(scenario())
    assert [m for m, _, _ in fake.moderated] == [
        "restrictChatMember", "restrictChatMember", "banChatMember", "unbanChatMember"]


def test_a_refusal_names_the_platform_code_and_is_said_once(tmp_path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.WARNING)

    async def scenario() -> list[str]:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            failures = []
            for kind in ("restrict", "restrict", "ban"):
                with pytest.raises(ActionFailed) as failed:
                    await connector.perform(_enforce(kind, MEMBERS, IMPOSTOR))
                failures.append(str(failed.value))
            with pytest.raises(ActionFailed) as failed:  # the group's owner is out of reach
                await connector.perform(_enforce("ban", MODS, OWNER))
            failures.append(str(failed.value))
            assert not fake.restricted and not fake.banned
            return failures

    failures = asyncio.run(scenario())
    assert failures[0] == ("telegram refused restrict (400 Not enough rights to "
                           "restrict/unrestrict chat member)")
    assert "administrator" in failures[3]
    assert caplog.text.count(f"cannot restrict in group {MEMBERS}") == 1
    assert caplog.text.count(f"cannot ban in group {MEMBERS}") == 1
    assert "Ban users right" in caplog.text


def test_report_says_a_takedown_case_is_needed(tmp_path, monkeypatch) -> None:
    async def scenario() -> str:
        async with _connector(tmp_path, monkeypatch) as (_, connector):
            return await connector.perform(Action("report", "telegram", str(IMPOSTOR), "", REASON))

    assert asyncio.run(scenario()) == \
        "no report API for bots on telegram: takedown case to be opened"


def test_a_refused_restriction_is_failed_and_the_managers_hear_it_once(
    tmp_path, monkeypatch
) -> None:
    from monitor.core.models import Author
    from monitor.runtime.outbound import Outbound
    from monitor.runtime.sender import send_planned

    store = Store(tmp_path / "m.db")
    admins = -100999  # write_config's managers' chat

    def plan(post_id: str) -> None:
        post = Post("telegram", post_id, Author("telegram", str(IMPOSTOR), "0kx_support"), "x",
                    "group", place=str(READONLY))
        store.record(post, [], [_enforce("restrict", READONLY, IMPOSTOR)], ["planned"])

    async def scenario() -> TelegramFake:
        async with _connector(tmp_path, monkeypatch) as (fake, connector):
            fake.add_group(admins, "OKX managers")
            outbound = Outbound.from_settings(config.load(tmp_path / "monitor.toml"))
            for post_id in (f"{READONLY}:1", f"{READONLY}:2"):  # two refusals in one group
                plan(post_id)
                await send_planned(store, [connector], outbound)
            return fake

    fake = asyncio.run(scenario())
    results = [a["result"] for a in store.actions("failed")]
    assert len(results) == 2 and all("refused restrict" in r for r in results)
    alerts = [m["text"] for m in fake.sent_to(admins)]
    assert len(alerts) == 1 and alerts[0].startswith(f"cannot restrict on telegram in {READONLY}")
    assert "Not enough rights" in alerts[0]


def test_a_report_without_a_platform_api_opens_the_accounts_takedown_case(
    tmp_path, monkeypatch
) -> None:
    from monitor.core.models import Author
    from monitor.desk import cases
    from monitor.runtime.outbound import Outbound
    from monitor.runtime.sender import send_planned

    store = Store(tmp_path / "m.db")
    author = Author("telegram", str(IMPOSTOR), "0kx_support")

    def plan(post_id: str) -> None:
        post = Post("telegram", post_id, author, "DM me for help", "group", place=str(MODS))
        report = Action("report", "telegram", str(IMPOSTOR), "impostor", REASON, place=str(MODS))
        store.record(post, [], [report], ["planned"])

    async def scenario() -> None:
        async with _connector(tmp_path, monkeypatch) as (_, connector):
            outbound = Outbound.from_settings(config.load(tmp_path / "monitor.toml"))
            for post_id in (f"{MODS}:1", f"{MODS}:2"):  # the same impostor twice
                plan(post_id)
                await send_planned(store, [connector], outbound)

    asyncio.run(scenario())
    results = sorted(a["result"] for a in store.actions("sent"))
    assert results == [
        ("no report API for bots on telegram: post added to takedown case #1 for account "
        "telegram:@0kx_support"),
        ("no report API for bots on telegram: takedown case #1 opened for account "
        "telegram:@0kx_support"),
    ]
    case = cases.show(store, 1)
    assert case["status"] == "open" and case["kind"] == "account"
    assert [p["post_id"] for p in store.db.table("case_posts").rows] == [f"{MODS}:1", f"{MODS}:2"]
    assert [r["who"] for r in store.db.table("audit").rows_where("action LIKE 'case:%'")] == [
        "monitor", "monitor"]
