"""Platform faults through the real daemon and the loopback fakes: 429,
5xx, drops, timeouts, bad JSON."""

from __future__ import annotations

import asyncio
import logging

from monitor.core import config
from monitor.store import Store
from tests.connectors.test_discord_daemon import TOKEN_ENV, seed_phrase
from tests.connectors.test_discord_daemon import write_config as discord_config
from tests.fakes.discord import FakeDiscord, wait_for
from tests.fakes.telegram import Fault, TelegramFake, until
from tests.faultworld import (
    GROUP,
    PENDING,
    TOKEN,
    check_once_each,
    count,
    dump,
    ingest_for,
    message,
    phrase,
    run_daemon,
    settings_for,
    world,
)


def test_telegram_429_5xx_drops_and_bad_json_lose_nothing_and_send_nothing_twice(
    tmp_path, monkeypatch, caplog, store_db
) -> None:
    caplog.set_level(logging.INFO)
    store = Store(store_db)

    async def scenario() -> tuple[TelegramFake, int]:
        async with TelegramFake(token=TOKEN) as fake:
            users = world(fake)
            monkeypatch.setenv("TG_TOKEN", TOKEN)
            settings = settings_for(tmp_path, fake)
            fake.fail(
                "getUpdates",
                Fault(429, "Too Many Requests: retry after 1", retry_after=1),
                Fault(502, "Bad Gateway"),
                Fault(drop=True),
                Fault(body="<html>oops</html>"),
            )
            fake.fail(
                "sendMessage",
                Fault(500),
                Fault(429, "Too Many Requests: retry after 1", retry_after=1),
                Fault(drop=True),
                Fault(body="{not json"),
            )
            fake.fail("deleteMessage", Fault(503, "Service Unavailable"))
            for n, user in enumerate(users):
                fake.post(GROUP, user, message(n))
            ingest, stop = ingest_for(settings, store), asyncio.Event()
            task = asyncio.create_task(run_daemon(settings, store, ingest, stop))
            await until(
                lambda: (
                    count(store, "SELECT count(*) FROM posts") == len(users)
                    and count(store, PENDING) == 0
                    and fake.confirmed == len(users) + 1
                ),
                timeout=40,
            )
            stop.set()
            await task
            assert ingest.metrics.posts.get("telegram") == len(users)
            return fake, len(users)

    fake, posted = asyncio.run(scenario())
    check_once_each(fake, store, posted)
    assert len(fake.deleted) >= 2  # three leaks; the 503 was retried
    assert not fake.faults["getUpdates"] and not fake.faults["sendMessage"]  # every fault was met
    for n in range(posted):
        assert phrase(n) not in dump(store) + caplog.text
    assert TOKEN not in caplog.text


def test_a_telegram_poll_that_times_out_is_polled_again(tmp_path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.INFO)
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> TelegramFake:
        async with TelegramFake(token=TOKEN) as fake:
            users = world(fake, 2)
            monkeypatch.setenv("TG_TOKEN", TOKEN)
            settings = settings_for(tmp_path, fake)
            fake.answer_delay = 30.0  # the answer that carries the update never comes in time
            fake.post(GROUP, users[0], message(0))
            ingest, stop = ingest_for(settings, store), asyncio.Event()
            task = asyncio.create_task(run_daemon(settings, store, ingest, stop))
            await until(lambda: "getUpdates" in fake.calls)
            await asyncio.sleep(0.2)  # that first answer is now stalled; the next ones come at once
            fake.answer_delay = 0.0
            fake.post(GROUP, users[1], message(1))
            await until(
                lambda: (
                    count(store, "SELECT count(*) FROM posts") == 2 and count(store, PENDING) == 0
                )
            )
            stop.set()
            await task
            return fake

    fake = asyncio.run(scenario())
    check_once_each(fake, store, 2)
    assert "telegram getUpdates failed (timed out)" in caplog.text


def test_discord_dropped_gateway_and_rest_faults_lose_nothing(
    tmp_path, monkeypatch, store_db
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "fake-discord-token")
    store = Store(store_db)
    phrases = [seed_phrase() for _ in range(2)]

    async def scenario() -> tuple[FakeDiscord, list[dict]]:
        fake = await FakeDiscord(content_intent_enabled=True).start()  # the config asks for content
        try:
            settings = config.load(
                discord_config(
                    tmp_path,
                    fake,
                    extra="\n[limits]\nuser_cooldown = 0\n"
                    "thread_cooldown = 0\nplatform_per_hour = 100000\n",
                )
            )
            ann, ben = fake.add_user("ann"), fake.add_user("ben")
            fake.fail("POST", r"/channels/\d+/messages", "429", times=1)
            fake.fail("DELETE", r"/channels/\d+/messages/\d+", "500", times=1)
            ingest, stop = ingest_for(settings, store), asyncio.Event()
            task = asyncio.create_task(run_daemon(settings, store, ingest, stop))
            await wait_for(fake.connected, timeout=30)
            posted = [await fake.post(fake.general, ann, f"backup words: {phrases[0]}")]
            await wait_for(lambda: count(store, "SELECT count(*) FROM posts") == 1, timeout=20)
            await fake.drop_connections()  # the websocket dies without a close frame
            posted.append(await fake.post(fake.general, ben, f"my seed {phrases[1]}"))
            posted.append(await fake.post(fake.general, ann, "gm, anyone trading today?"))
            await wait_for(
                lambda: (
                    count(store, "SELECT count(*) FROM posts") == 3 and count(store, PENDING) == 0
                ),
                timeout=60,
            )
            stop.set()
            await task
            return fake, posted
        finally:
            await fake.stop()

    fake, posted = asyncio.run(scenario())
    ids = sorted(r[0] for r in store.db.execute("SELECT id FROM posts"))
    assert ids == sorted(f"{fake.general}:{m['id']}" for m in posted)
    assert len(fake.deleted) == len(set(fake.deleted)) == 2  # the 500 on DELETE was retried once
    statuses = store.db.execute("SELECT kind, status FROM actions WHERE kind != 'alert'").fetchall()
    assert {s for _, s in statuses} == {"sent"}
    answered = [
        b["message_reference"]["message_id"] for b in fake.bodies if b.get("message_reference")
    ]
    assert len(answered) == len(set(answered)) == 2  # the 429 was waited out, and each sent once


def test_a_connector_that_keeps_crashing_is_restarted_with_backoff(tmp_path, monkeypatch) -> None:
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> tuple[TelegramFake, dict]:
        async with TelegramFake(token=TOKEN) as fake:
            users = world(fake, 1)
            monkeypatch.setenv("TG_TOKEN", TOKEN)
            settings = settings_for(tmp_path, fake)
            # getMe answers 200 with a body that is not JSON: start()
            # raises, the supervisor restarts it
            fake.fail("getMe", Fault(body="not json"), Fault(body="not json"))
            fake.post(GROUP, users[0], message(1))
            ingest, stop = ingest_for(settings, store), asyncio.Event()
            task = asyncio.create_task(run_daemon(settings, store, ingest, stop))
            await until(lambda: count(store, "SELECT count(*) FROM posts") == 1, timeout=20)
            stop.set()
            await task
            return fake, ingest.metrics.restarts.values

    fake, restarts = asyncio.run(scenario())
    assert restarts == {("telegram",): 2.0}
    assert fake.calls.count("getMe") == 3
