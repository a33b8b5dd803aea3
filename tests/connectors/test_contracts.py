"""The contract checks themselves (tests/connectors/conftest.py runs them after every test here):
they reject what Telegram and Discord would never send, and they do reach the fakes' answers."""

from __future__ import annotations

import asyncio

import pytest

from tests.connectors.conftest import (
    discord_answer_errors,
    discord_spec,
    telegram_answer_errors,
    telegram_api,
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import TelegramFake


@pytest.mark.skipif(
    telegram_api() is None, reason="../shared/recorded/telegram/api.json is not beside the repo"
)
def test_the_telegram_check_rejects_what_the_bot_api_never_sends() -> None:
    api = telegram_api()
    assert api is not None
    chat = {"id": 5, "type": "private", "first_name": "A", "language_code": "en"}
    message = {"message_id": 1, "date": 1, "chat": chat, "text": "hi"}
    assert telegram_answer_errors("sendMessage", {"ok": True, "result": message}, api) == [
        "sendMessage: result.chat.language_code: not a field of Chat"
    ]
    del message["date"], chat["language_code"]
    assert telegram_answer_errors("sendMessage", {"ok": True, "result": message}, api) == [
        "sendMessage: result.date: required by Message"
    ]
    error = {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests",
        "parameters": {"retry_after": "5"},
    }
    assert telegram_answer_errors("sendMessage", error, api) == [
        "sendMessage.parameters.retry_after: Integer expected, got '5'"
    ]


@pytest.mark.skipif(
    discord_spec() is None, reason="../shared/recorded/discord/openapi.json is not beside the repo"
)
def test_the_discord_check_rejects_what_the_api_never_sends() -> None:
    spec = discord_spec()
    assert spec is not None
    user = {
        "id": 42,
        "username": "bob",
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "primary_guild": None,
    }
    errors = discord_answer_errors("GET", "/users/42", 200, user, spec)
    assert errors and all("/users/42 200: $.id" in e for e in errors), errors
    assert discord_answer_errors("GET", "/no/such/route", 200, {}, spec) == [
        "GET /no/such/route: no such route in Discord's API"
    ]


def test_the_fakes_answers_are_what_the_checks_read() -> None:
    async def scenario() -> tuple[int, int]:
        async with TelegramFake() as fake:
            from telegram import Bot

            bot = Bot(fake.token, base_url=f"{fake.base_url}/bot")
            await bot.get_me()
            await bot.get_updates(timeout=0)
        discord = await FakeDiscord().start()
        import aiohttp

        async with (
            aiohttp.ClientSession() as http,
            http.get(
                f"{discord.api_base}/users/@me", headers={"Authorization": "Bot fake-discord-token"}
            ) as r,
        ):
            assert r.status == 200
        await discord.stop()
        return len(fake.answered), len(discord.answered)

    assert asyncio.run(scenario()) == (2, 1)  # each checked by the autouse fixture after this test
