"""The daemon with the Telegram connector against the loopback fake: end to
end, restarts, credentials."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mnemonic import Mnemonic

from monitor.cli.connecting import build_connectors
from monitor.connectors.replay import ReplayConnector
from monitor.core import config
from monitor.core.pipeline import Pipeline, build_detectors
from monitor.runtime import daemon
from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until, write_config

ROOT = Path(__file__).resolve().parent.parent.parent
GROUP, ADMINS = -100500, -100999
ALICE, BOB, CAROL, IMPOSTOR = 21, 22, 23, 66
PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))  # a valid 12-word BIP39 phrase


def _world(fake: TelegramFake) -> None:
    """A public supergroup where the bot is admin, the managers' chat,
    three users and an impostor."""
    fake.add_group(GROUP, "OKX Community", username="okx_community")
    fake.add_group(ADMINS, "OKX moderators", kind="group")
    fake.add_user(ALICE, "Alice", "alice", started=True)
    fake.add_user(BOB, "Bob", "bob_trades", started=True)
    fake.add_user(CAROL, "Carol", "carol")
    fake.add_user(IMPOSTOR, "OKX Support", "0kx_support")


def _phrase_patterns() -> list[re.Pattern[str]]:
    """Any three consecutive words of the leaked phrase, whatever separates them."""
    words = PHRASE.split()
    return [re.compile(r"\W*".join(words[i : i + 3])) for i in range(len(words) - 2)]


def _dump(store: Store) -> str:
    """Every row of every table as text."""
    return "\n".join(
        json.dumps(list(r), ensure_ascii=False)
        for t in store.db.table_names()
        for r in store.db.execute(f"SELECT * FROM [{t}]").fetchall()
    )


def _support_detector_registered(settings: config.Settings) -> bool:
    """Whether the support-request detector is among the built-ins yet."""
    return any(d.kind == "support_request" for d in build_detectors(settings))


async def _run_daemon(
    settings: config.Settings, store: Store, stop: asyncio.Event
) -> daemon.Counters:
    """The daemon as `monitor run` assembles it, in this event loop, sending every 50 ms."""
    connectors = build_connectors(settings, store)
    pipeline = Pipeline.from_settings(settings, store.salt())
    ingest = daemon.Ingest(pipeline, store, settings.modes, dry_run=False)
    try:
        return await daemon.run(connectors, ingest, stop, send_interval=0.05)
    finally:
        for connector in connectors:
            await connector.close()  # type: ignore[attr-defined]


def _settings(
    fake: TelegramFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> config.Settings:
    """The usual world in the fake, and a config pointed at it."""
    _world(fake)
    monkeypatch.setenv("TG_TOKEN", fake.token)
    return config.load(write_config(tmp_path, fake.base_url, admin_chat_id=ADMINS))


async def _settle(
    settings: config.Settings, store: Store, posts: int, also: Callable[[], bool] = lambda: True
) -> None:
    """Run the daemon until it stored this many posts and planned nothing more
    to send (and `also` holds)."""
    stop = asyncio.Event()
    task = asyncio.create_task(_run_daemon(settings, store, stop))
    await until(
        lambda: (
            store.db["posts"].count == posts
            and not [*store.actions("planned"), *store.actions("sending")]
        ),
        timeout=90,
    )
    await until(also)
    stop.set()
    await task


def _impersonation_findings(store: Store, ids: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """Each named message's impersonation findings."""
    return {
        who: [
            f
            for f in store.post_findings("telegram", f"{GROUP}:{post}")
            if f["kind"] == "impersonation"
        ]
        for who, post in ids.items()
    }


def test_support_impostor_leak_and_chatter_get_the_right_answers(
    tmp_path, monkeypatch, caplog
) -> None:
    caplog.set_level(logging.INFO)
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> tuple[TelegramFake, dict[str, int]]:
        async with TelegramFake() as fake:
            _world(fake)
            monkeypatch.setenv("TG_TOKEN", fake.token)
            settings = config.load(write_config(tmp_path, fake.base_url, admin_chat_id=ADMINS))
            ids = {
                "support": fake.post(
                    GROUP,
                    ALICE,
                    "Hi, my withdrawal of 2 ETH has been pending for "
                    "3 days and support has not answered, can someone help?",
                ),
                "leak": fake.post(
                    GROUP, BOB, f"my wallet won't open, here is my seed phrase: {PHRASE}"
                ),
                "chatter": fake.post(GROUP, CAROL, "gm everyone, nice weather for trading today"),
            }
            ids["impostor"] = fake.post(
                GROUP,
                IMPOSTOR,
                "Hello, I am from OKX support. Please DM me "
                "and I will help you recover your withdrawal.",
                reply_to=ids["support"],
            )
            stop = asyncio.Event()
            task = asyncio.create_task(_run_daemon(settings, store, stop))
            # generous: the first pass includes loading the classifiers (seconds on a busy machine)
            await until(
                lambda: (
                    store.db["posts"].count == 4
                    and fake.confirmed == 5
                    and not [*store.actions("planned"), *store.actions("sending")]
                ),
                timeout=90,
            )
            await until(lambda: bool(fake.deleted) and len(fake.sent_to(ADMINS)) >= 2)
            stop.set()
            await task
            return fake, ids

    fake, ids = asyncio.run(scenario())
    in_group = fake.sent_to(GROUP)
    warnings = [
        m for m in in_group if m["asked_reply_to"] == ids["support"] and "0kx_support" in m["text"]
    ]
    assert len(warnings) == 1  # the warning answers the targeted user, never the impostor
    assert fake.deleted == [(GROUP, ids["leak"])]
    notices = [m for m in in_group if m["asked_reply_to"] == ids["leak"]]
    assert len(notices) == 1 and "removed" in notices[0]["text"].lower()
    assert len(fake.sent_to(BOB)) == 1  # what to do now, in private
    assert not any(m["asked_reply_to"] in (ids["chatter"], ids["impostor"]) for m in in_group)
    if _support_detector_registered(config.load(tmp_path / "monitor.toml")):
        answers = [
            m for m in in_group if m["asked_reply_to"] == ids["support"] and m not in warnings
        ]
        assert len(answers) == 1
    outgoing = "\n".join(m["text"] for m in fake.sent)
    places = {"database": _dump(store), "outgoing messages": outgoing, "logs": caplog.text}
    for place, text in places.items():
        assert not any(p.search(text) for p in _phrase_patterns()), f"seed phrase found in {place}"
    assert (
        "seed phrase removed"
        in store.db.execute(
            "SELECT text FROM posts WHERE id = ?", [f"{GROUP}:{ids['leak']}"]
        ).fetchone()[0]
    )
    assert fake.token not in caplog.text


def _restart_messages(fake: TelegramFake) -> list[int]:
    """Eight messages from eight users, so every outgoing text is different."""
    sent = []
    for n in range(8):
        user = 100 + n
        fake.add_user(user, f"User{n}", f"user_{n}", started=True)
        text = (
            f"my seed phrase is {PHRASE}"
            if n % 4 == 1
            else "Hello, I am from OKX support. DM me and I will help you recover your funds. "
            f"ref {n}"
            if n % 4 == 3
            else f"message number {n} about the weather"
        )
        sent.append(fake.post(GROUP, user, text))
    return sent


async def _monitor_run(config_path: Path, db: Path, token: str) -> asyncio.subprocess.Process:
    """`monitor run` in its own process, as an operator starts it."""
    env = {**os.environ, "TG_TOKEN": token}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "monitor.cli",
        "run",
        "--config",
        str(config_path),
        "--db",
        str(db),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def _count(db: Path, sql: str) -> int:
    """One number from the daemon's database, read while it runs."""
    store = Store(db)
    try:
        return int(store.db.execute(sql).fetchone()[0])
    finally:
        store.close()


def test_a_killed_daemon_restarts_without_missing_or_repeating(tmp_path) -> None:
    db = tmp_path / "monitor.db"
    Store(db).close()

    async def scenario() -> tuple[TelegramFake, bytes]:
        async with TelegramFake() as fake:
            _world(fake)
            fake.batch, fake.answer_delay = 1, 0.25  # a slow stream, so the kill lands mid-way
            config_path = write_config(tmp_path, fake.base_url, admin_chat_id=ADMINS)
            _restart_messages(fake)
            first = await _monitor_run(config_path, db, fake.token)
            await until(lambda: bool(fake.sent), timeout=30)
            first.kill()  # SIGKILL: no flush, no goodbye
            await first.wait()
            stored = _count(db, "SELECT count(*) FROM posts")
            assert 0 < stored < 8, "the kill did not land mid-stream"
            second = await _monitor_run(config_path, db, fake.token)
            await until(
                lambda: (
                    _count(db, "SELECT count(*) FROM posts") == 8
                    and fake.confirmed == 9
                    and _count(db, "SELECT count(*) FROM actions WHERE status = 'planned'") == 0
                ),
                timeout=30,
            )
            second.send_signal(signal.SIGTERM)
            _, err = await second.communicate()
            assert second.returncode == 0, err.decode()
            return fake, err

    fake, err = asyncio.run(scenario())
    store = Store(db)
    keys = [(m["chat"]["id"], m["asked_reply_to"], m["text"]) for m in fake.sent]
    assert len(keys) == len(set(keys)), "a message was sent twice"
    assert len(fake.deleted) == len(set(fake.deleted)) == 2
    rows = list(store.db.execute("SELECT kind, status, result FROM actions").fetchall())
    interrupted = [r for r in rows if r[1] == "failed" and "interrupted" in r[2]]
    assert len(interrupted) <= 1 and all(r[1] == "sent" for r in rows if r not in interrupted)
    sent_refs = {r[2] for r in rows if r[1] == "sent" and r[0] in ("reply", "dm", "alert")}
    assert sent_refs <= {f"{m['chat']['id']}:{m['message_id']}" for m in fake.sent}
    assert len(fake.sent) - len(sent_refs) <= len(interrupted)
    assert not any(p.search(_dump(store) + err.decode()) for p in _phrase_patterns())


def test_a_missing_token_disables_only_telegram_with_one_line(
    tmp_path, monkeypatch, caplog
) -> None:
    monkeypatch.delenv("TG_TOKEN", raising=False)
    settings = config.load(write_config(tmp_path, "http://127.0.0.1:9"))
    store = Store(tmp_path / "monitor.db")
    caplog.set_level(logging.INFO)
    assert build_connectors(settings, store) == []
    lines = [r.getMessage() for r in caplog.records if "telegram" in r.getMessage()]
    assert lines == [
        "telegram connector disabled: the bot token environment variable TG_TOKEN is not set"
    ]
    replay = tmp_path / "posts.jsonl"
    replay.write_text(
        '{"id": "1", "platform": "telegram", "text": "my password is Gr33n-Tea-41", '
        '"author": {"handle": "bob"}}\n',
        encoding="utf-8",
    )
    ingest = daemon.Ingest(
        Pipeline.from_settings(settings, store.salt()), store, settings.modes, True
    )
    counters = asyncio.run(daemon.run([ReplayConnector(replay, store)], ingest))
    assert counters.posts == 1  # the other connector ran on


def test_a_realistic_config_builds_the_connector_from_env(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TG_TOKEN", "123456:ABC-from-env")
    settings = config.load(write_config(tmp_path, "https://tg.example.internal:8081/bot"))
    [connector] = build_connectors(settings, Store(":memory:"))
    assert connector.name == "telegram"
    assert connector.bot.base_url == "https://tg.example.internal:8081/bot123456:ABC-from-env"
    assert (connector.admin_chat_id, connector.poll_timeout) == (-100999, 1)
    assert config.load(tmp_path / "monitor.toml").platforms["telegram"]["admins"] == [11]
    broken = tmp_path / "broken.toml"
    broken.write_text(
        settings.path.read_text(encoding="utf-8").replace("poll_timeout = 1", 'poll_timeout = "1"'),
        encoding="utf-8",
    )
    with pytest.raises(config.ConfigError, match="'telegram.poll_timeout' must be a number"):
        config.load(broken)


def test_a_chinese_display_name_claiming_the_brand_flags_in_either_script(
    tmp_path, monkeypatch
) -> None:
    # 歐易 is the traditional spelling of the configured alias 欧易; a Telegram username is ASCII,
    # so the display name is where a Chinese impostor claims the brand.
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> dict[str, int]:
        async with TelegramFake() as fake:
            settings = _settings(fake, tmp_path, monkeypatch)
            fake.add_user(77, "歐易·", "mei_li_77", last_name="客服")
            fake.add_user(78, "欧易", "ouyi_fan_2024", last_name="粉丝")
            question = "请问遇到什么问题了？"  # no offer of help, no DM: only the name can flag it
            ids = {
                "impostor": fake.post(GROUP, 77, question),
                "fan": fake.post(GROUP, 78, question),
            }
            await _settle(settings, store, 2)
            return ids

    ids = asyncio.run(scenario())
    found = _impersonation_findings(store, ids)
    [finding] = found["impostor"]
    assert finding["score"] >= 0.5 and "claims brand '欧易' + '客服'" in finding["evidence"]
    assert found["fan"] == []


def test_a_reply_sending_the_user_to_a_lookalike_account_warns_them(tmp_path, monkeypatch) -> None:
    # The sock-puppet pattern: an ordinary-looking account answers a help
    # request with a look-alike's name.
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> tuple[TelegramFake, dict[str, int]]:
        async with TelegramFake() as fake:
            settings = _settings(fake, tmp_path, monkeypatch)
            ids = {
                "support": fake.post(
                    GROUP, ALICE, "my withdrawal has been pending for 3 days, any idea?"
                )
            }
            ids["puppet"] = fake.post(
                GROUP,
                CAROL,
                "same happened to me, contact @okx_support_desk on here, they sorted it in minutes",
                reply_to=ids["support"],
            )
            ids["official"] = fake.post(
                GROUP, BOB, "ask @OKXOfficial_English, they answer fast", reply_to=ids["support"]
            )
            await _settle(settings, store, 3, also=lambda: len(fake.sent_to(ADMINS)) >= 1)
            return fake, ids

    fake, ids = asyncio.run(scenario())
    found = _impersonation_findings(store, ids)
    [finding] = found["puppet"]
    assert (
        finding["label"] == "lookalike_mention" and "names @okx_support_desk" in finding["evidence"]
    )
    assert found["official"] == []
    warnings = [m for m in fake.sent_to(GROUP) if "only looks like ours" in m["text"]]
    # to the user who asked, not the puppet
    assert [m["asked_reply_to"] for m in warnings] == [ids["support"]]
    assert "@carol is not an official OKX account" in warnings[0]["text"]
    assert any("okx_support_desk" in m["text"] for m in fake.sent_to(ADMINS))


def test_a_member_warning_about_a_phishing_site_is_not_called_an_impostor(
    tmp_path, monkeypatch
) -> None:
    # Link filters make scammers hide dots (okx-help。com); members warning others write them hidden
    # too, and a victim tells of the request for their phrase in the scammer's words.
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> tuple[TelegramFake, dict[str, int]]:
        async with TelegramFake() as fake:
            settings = _settings(fake, tmp_path, monkeypatch)
            ids = {
                "support": fake.post(
                    GROUP, ALICE, "my withdrawal has been pending for 3 days, any idea?"
                )
            }
            ids["scam"] = fake.post(
                GROUP, BOB, "提现卡住的话登录okx-help。com处理就好", reply_to=ids["support"]
            )
            ids["warning"] = fake.post(
                GROUP,
                CAROL,
                "careful, okx-help[.]com is phishing, never log in there",
                reply_to=ids["support"],
            )
            ids["victim"] = fake.post(
                GROUP,
                CAROL,
                "有人私信我说是客服，让我提供助记词，大家小心",
                reply_to=ids["support"],
            )
            await _settle(settings, store, 4, also=lambda: len(fake.sent_to(ADMINS)) >= 1)
            return fake, ids

    fake, ids = asyncio.run(scenario())
    found = _impersonation_findings(store, ids)
    [scam] = found["scam"]
    assert (
        scam["label"] == "phishing_link"
        and scam["score"] >= 0.5
        and "okx-help.com" in scam["evidence"]
    )
    # under the flag line: nothing acted on, nothing stored
    assert found["warning"] == found["victim"] == []
    sent = [m["text"] for m in fake.sent_to(GROUP)]
    # the scammer is named once, in the warning to Alice
    assert sum("@bob_trades" in t for t in sent) == 1
    assert not any("carol" in t for t in sent)


def test_a_link_whose_words_show_the_official_site_but_open_another_is_flagged(
    tmp_path, monkeypatch
) -> None:
    # Telegram shows only the words of a text_link; the address they
    # open is in the message's entities.
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> dict[str, int]:
        async with TelegramFake() as fake:
            settings = _settings(fake, tmp_path, monkeypatch)
            ids = {
                "masked": fake.post(
                    GROUP,
                    BOB,
                    "withdrawals are back 🎉 log in at www.okx.com to claim the bonus",
                    links={"www.okx.com": "https://secure-login.example/okx"},
                ),
                "honest": fake.post(
                    GROUP,
                    CAROL,
                    "the status page is here",
                    links={"here": "https://www.okx.com/status"},
                ),
            }
            await _settle(settings, store, 2)
            return ids

    ids = asyncio.run(scenario())
    [finding] = [
        f
        for f in store.post_findings("telegram", f"{GROUP}:{ids['masked']}")
        if f["kind"] == "impersonation"
    ]
    assert finding["label"] == "phishing_link" and finding["score"] >= 0.9
    assert (
        "link text 'www.okx.com' shows OKX's site but opens secure-login.example"
        in finding["evidence"]
    )
    assert store.post_findings("telegram", f"{GROUP}:{ids['honest']}") == []


def test_a_post_forwarded_from_a_lookalike_channel_is_flagged(tmp_path, monkeypatch) -> None:
    # Fake "announcements" reach groups as forwards: the member only passes
    # them on, the channel is the impostor.
    fake_news = {
        "id": -100901,
        "type": "channel",
        "title": "OKX Announcements",
        "username": "okx_airdrop_news",
    }
    official = {"id": -100902, "type": "channel", "title": "OKX", "username": "OKXOfficial_English"}
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> dict[str, int]:
        async with TelegramFake() as fake:
            settings = _settings(fake, tmp_path, monkeypatch)
            ids = {
                "fake": fake.post(
                    GROUP, BOB, "Season 3 rewards are live for all users", forwarded_from=fake_news
                ),
                "official": fake.post(
                    GROUP, CAROL, "Maintenance at 08:00 UTC", forwarded_from=official
                ),
            }
            await _settle(settings, store, 2)
            return ids

    found = _impersonation_findings(store, asyncio.run(scenario()))
    [finding] = found["fake"]
    assert (
        "names @okx_airdrop_news, not an official account" in finding["evidence"]
        and finding["score"] >= 0.5
    )
    assert found["official"] == []
    [text] = [r["text"] for r in store.db["posts"].rows if "Season 3" in r["text"]]
    assert text.startswith("[forwarded from OKX Announcements @okx_airdrop_news]")


def test_a_message_sent_on_behalf_of_a_lookalike_channel_is_checked_as_the_channel(
    tmp_path, monkeypatch
) -> None:
    # Posting "as a channel" hides the person behind it: the Bot
    # API's from is then a placeholder bot.
    store = Store(tmp_path / "monitor.db")
    channel = {
        "id": -100777,
        "type": "channel",
        "title": "OKX Support Center",
        "username": "okx_support_center",
    }

    async def scenario() -> dict[str, int]:
        async with TelegramFake() as fake:
            settings = _settings(fake, tmp_path, monkeypatch)
            ids = {"support": fake.post(GROUP, ALICE, "my deposit has not arrived after 2 hours")}
            ids["channel"] = fake.post_as_channel(
                GROUP, channel, "Hello, which coin was it?", reply_to=ids["support"]
            )
            await _settle(settings, store, 2)
            return ids

    ids = asyncio.run(scenario())
    post = store.db["posts"].get(("telegram", f"{GROUP}:{ids['channel']}"))
    assert (post["author_id"], post["author_handle"], post["author_name"]) == (
        "-100777",
        "okx_support_center",
        "OKX Support Center",
    )
    [finding] = [
        f for f in store.post_findings("telegram", post["id"]) if f["kind"] == "impersonation"
    ]
    assert "okx_support_center" in finding["evidence"] and finding["score"] >= 0.5


def test_an_edit_is_checked_and_only_what_it_adds_is_acted_on(
    tmp_path, monkeypatch, caplog
) -> None:
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> tuple[TelegramFake, dict[str, int]]:
        async with TelegramFake() as fake:
            settings = _settings(fake, tmp_path, monkeypatch)
            ids = {
                "typo": fake.post(
                    GROUP, ALICE, "my withdrawl of 2 ETH is pending for 3 days, can someone help?"
                ),
                "leak": fake.post(GROUP, BOB, "my wallet won't open after the update, any idea?"),
                "scam": fake.post(GROUP, CAROL, "gm everyone"),
            }
            stop = asyncio.Event()
            task = asyncio.create_task(_run_daemon(settings, store, stop))
            await until(
                lambda: (
                    store.db["posts"].count == 3
                    and not [*store.actions("planned"), *store.actions("sending")]
                ),
                timeout=90,
            )
            sent_before = len(fake.sent)
            fake.edit(
                GROUP,
                ids["typo"],
                "my withdrawal of 2 ETH is pending for 3 days, can someone help?",
            )
            fake.edit(
                GROUP,
                ids["leak"],
                f"my wallet won't open after the update, here is my phrase: {PHRASE}",
            )
            fake.edit(
                GROUP,
                ids["scam"],
                "gm everyone, OKX airdrop is live, claim at https://okx-airdrop-claim.com",
            )
            await until(
                lambda: (
                    store.db["posts"].count == 6
                    and not [*store.actions("planned"), *store.actions("sending")]
                )
            )
            await until(lambda: bool(fake.deleted))
            stop.set()
            await task
            return fake, ids | {"sent_before": sent_before}

    fake, ids = asyncio.run(scenario())
    assert fake.deleted == [(GROUP, ids["leak"])]  # the edited-in phrase is removed
    assert len(fake.sent_to(BOB)) == 1  # what to do now, in private
    later = fake.sent[ids["sent_before"] :]
    # a typo fix brings no second answer
    assert not any(m.get("asked_reply_to") == ids["typo"] for m in later)
    kinds = {
        f["post_id"].partition("~e")[0]: f["kind"]
        for f in store.db["findings"].rows
        if "~e" in f["post_id"]
    }
    assert kinds == {
        f"{GROUP}:{ids['leak']}": "secret_leak",
        f"{GROUP}:{ids['scam']}": "impersonation",
    }
    assert any("okx-airdrop-claim[.]com" in m["text"] for m in fake.sent_to(ADMINS))
    places = {
        "database": _dump(store),
        "outgoing messages": "\n".join(m["text"] for m in fake.sent),
        "logs": caplog.text,
    }
    for place, text in places.items():
        assert not any(p.search(text) for p in _phrase_patterns()), f"seed phrase found in {place}"


def test_a_lookalike_joining_the_group_is_flagged_before_it_writes(tmp_path, monkeypatch) -> None:
    # Impostors join to read the member list and write to users in
    # private, where the bot never sees it.
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> TelegramFake:
        async with TelegramFake() as fake:
            settings = _settings(fake, tmp_path, monkeypatch)
            fake.add_user(90, "OKX Support", "OKX_Helpdesk_Team")
            fake.add_user(91, "Dana", "dana_trades")
            fake.add_user(92, "OKX 客服", "kefu_8888")
            fake.add_user(93, "OKX Official Support", "mark_0093")
            fake.join(GROUP, 90, 91)  # the service message...
            fake.member_update(GROUP, 90)  # ...and the chat_member update of the same join
            fake.member_update(GROUP, 91)
            fake.member_update(GROUP, 92)  # a group that hides join messages: the update alone
            fake.member_update(GROUP, 91, old="member", new="left")  # leaving is no join
            fake.request_join(GROUP, 93)  # a group that approves members: checked before approval
            await _settle(settings, store, 4, also=lambda: len(fake.sent_to(ADMINS)) >= 3)
            return fake

    fake = asyncio.run(scenario())
    flagged = sorted(
        f["post_id"].split("~")[1]
        for f in store.db["findings"].rows
        if f["kind"] == "impersonation"
    )
    assert flagged == ["j90", "j92", "r93"]  # the impostors, once each; not the ordinary member
    alerts = {a["text"].split(" by @")[1].split()[0]: a["text"] for a in fake.sent_to(ADMINS)}
    assert set(alerts) == {"OKX_Helpdesk_Team", "kefu_8888", "mark_0093"}
    assert "[joined the group]: nothing written yet" in alerts["OKX_Helpdesk_Team"]
    assert "[asked to join the group]: nothing written yet" in alerts["mark_0093"]
    assert fake.sent_to(GROUP) == []  # nothing to answer in the group: no one was written to


def test_a_clone_of_a_group_admin_is_flagged_and_the_admins_are_not(tmp_path, monkeypatch) -> None:
    # The copycat admin: same name as one of the group's admins, another
    # account; it then writes to members.
    store = Store(tmp_path / "monitor.db")
    mia, clone, twin, namesake, sam = 30, 31, 32, 33, 34

    async def scenario() -> tuple[TelegramFake, dict[str, int]]:
        async with TelegramFake() as fake:
            settings = _settings(fake, tmp_path, monkeypatch)
            fake.add_user(mia, "Mia | OKX Support", "mia_okx_cm")
            fake.add_user(clone, "Mia | OKX Support", "mia_okx_cm_")
            fake.add_user(twin, "Mia｜0KX Support ✅", None)  # no username, the name in disguise
            fake.add_user(namesake, "Mia", "mia_2001")
            fake.add_user(sam, "Sam | OKX Support", "sam_okx_mod")
            fake.add_admin(GROUP, mia)
            ids = {
                "admin": fake.post(
                    GROUP,
                    mia,
                    "Withdrawals on TRC20 are delayed today, the team is on it. "
                    "If yours is stuck, DM me your ticket number.",
                ),
                "support": fake.post(
                    GROUP, ALICE, "my withdrawal has been pending for 3 days, any idea?"
                ),
            }
            ids["twin"] = fake.post(
                GROUP, twin, "I can help you, send me a DM", reply_to=ids["support"]
            )
            ids["namesake"] = fake.post(GROUP, namesake, "gm all")
            fake.join(GROUP, clone)
            stop = asyncio.Event()
            task = asyncio.create_task(_run_daemon(settings, store, stop))
            await until(
                lambda: (
                    store.db["posts"].count == 5
                    and not [*store.actions("planned"), *store.actions("sending")]
                ),
                timeout=90,
            )
            fake.add_admin(GROUP, sam)  # promoted: the group's list is asked for again
            fake.member_update(GROUP, sam, old="member", new="administrator")
            ids["promoted"] = fake.post(
                GROUP, sam, "Deposits are back to normal, DM me if yours is missing"
            )
            await until(
                lambda: (
                    store.db["posts"].count == 6
                    and not [*store.actions("planned"), *store.actions("sending")]
                )
            )
            await until(lambda: len(fake.sent_to(ADMINS)) >= 2)
            stop.set()
            await task
            return fake, ids

    fake, ids = asyncio.run(scenario())
    # a join's id ends in its day
    flagged = {
        f["post_id"].rpartition("~")[0] or f["post_id"]: f["evidence"]
        for f in store.db["findings"].rows
        if f["kind"] == "impersonation"
    }
    # not the admins, not the namesake
    assert set(flagged) == {f"{GROUP}:{ids['twin']}", f"{GROUP}~j{clone}"}
    assert "copies admin Mia | OKX Support (@mia_okx_cm)'s" in flagged[f"{GROUP}:{ids['twin']}"]
    assert "handle mia_okx_cm_ looks like admin Mia | OKX Support" in flagged[f"{GROUP}~j{clone}"]
    # no support pointer to an admin
    assert not any(m.get("asked_reply_to") == ids["admin"] for m in fake.sent)
    warnings = [
        m
        for m in fake.sent_to(GROUP)
        if m.get("asked_reply_to") == ids["support"] and "Heads up" in m["text"]
    ]
    assert len(warnings) == 1 and "Mia" in warnings[0]["text"]
    # once for the group, once after the promotion
    assert fake.calls.count("getChatAdministrators") == 2


def test_the_group_speaking_as_itself_is_its_staff(tmp_path, monkeypatch) -> None:
    # An anonymous admin writes as the group; the linked channel's
    # posts are forwarded in automatically.
    store = Store(tmp_path / "monitor.db")
    channel = {
        "id": -100888,
        "type": "channel",
        "title": "OKX Support Announcements",
        "username": "okx_support_news",
    }

    async def scenario() -> tuple[TelegramFake, dict[str, int]]:
        async with TelegramFake() as fake:
            settings = _settings(fake, tmp_path, monkeypatch)
            ids = {
                "anonymous": fake.post_as_group(
                    GROUP, "My SOL deposit has not arrived after 3 hours, can support check it?"
                ),
                "linked": fake.post_as_channel(
                    GROUP,
                    channel,
                    "OKX Support: maintenance at 08:00 UTC, DM us with any question",
                    automatic=True,
                ),
                "stranger": fake.post_as_channel(
                    GROUP, channel, "OKX Support: DM us with any question"
                ),
            }
            await _settle(settings, store, 3)
            return fake, ids

    fake, ids = asyncio.run(scenario())
    flagged = [f["post_id"] for f in store.db["findings"].rows if f["kind"] == "impersonation"]
    # the same channel, posting without the link, is checked
    assert flagged == [f"{GROUP}:{ids['stranger']}"]
    anonymous = store.post_findings("telegram", f"{GROUP}:{ids['anonymous']}")
    # read as a request, yet not answered
    if _support_detector_registered(config.load(tmp_path / "monitor.toml")):
        assert [f["kind"] for f in anonymous] == ["support_request"]
    assert not any(m.get("asked_reply_to") in (ids["anonymous"], ids["linked"]) for m in fake.sent)


def test_a_dm_invitation_under_a_help_request_is_flagged_and_under_chat_it_is_not(
    tmp_path, monkeypatch
) -> None:
    # "私信我" / "DM me" under a help request is the classic scam;
    # under a friend's message it is chat.
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> dict[str, int]:
        async with TelegramFake() as fake:
            settings = _settings(fake, tmp_path, monkeypatch)
            ids = {
                "request": fake.post(
                    GROUP,
                    ALICE,
                    "my withdrawal of 2 ETH has been pending for 3 days, can someone help?",
                ),
                "chat": fake.post(GROUP, BOB, "anyone going to the meetup tonight?"),
            }
            # in the same batch as the request
            ids["scam"] = fake.post(GROUP, CAROL, "私信我", reply_to=ids["request"])
            ids["friend"] = fake.post(GROUP, CAROL, "dm me later", reply_to=ids["chat"])
            stop = asyncio.Event()
            task = asyncio.create_task(_run_daemon(settings, store, stop))
            await until(
                lambda: (
                    store.db["posts"].count == 4
                    and not [*store.actions("planned"), *store.actions("sending")]
                ),
                timeout=90,
            )
            # the request is stored by now
            ids["later"] = fake.post(GROUP, BOB, "dm me", reply_to=ids["request"])
            await until(
                lambda: (
                    store.db["posts"].count == 5
                    and not [*store.actions("planned"), *store.actions("sending")]
                )
            )
            stop.set()
            await task
            return ids

    ids = asyncio.run(scenario())
    flagged = {f["post_id"] for f in store.db["findings"].rows if f["kind"] == "impersonation"}
    if _support_detector_registered(config.load(tmp_path / "monitor.toml")):
        assert flagged == {f"{GROUP}:{ids['scam']}", f"{GROUP}:{ids['later']}"}
    assert f"{GROUP}:{ids['friend']}" not in flagged
