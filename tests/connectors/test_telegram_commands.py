"""Telegram commands, buttons and live alerts: the daemon with
python-telegram-bot against the loopback fake."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from flagged_items import sample
from mnemonic import Mnemonic

from monitor.cli.connecting import build_connectors
from monitor.connectors.protocol import Connector
from monitor.connectors.replay import ReplayConnector
from monitor.core import config
from monitor.core.pipeline import Pipeline
from monitor.desk.command_handlers import GROUP_COMMANDS, MANAGER_COMMANDS
from monitor.runtime import daemon
from monitor.runtime.outbound import Outbound
from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until, write_config

GROUP, ADMINS = -100500, -100999
BOSS, MALLORY, LI, ALICE, IMPOSTOR = 11, 12, 13, 21, 66  # BOSS is the config's only admin
PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))
REFUSAL = "Sorry, this command is only for the OKX support managers."


def _world(fake: TelegramFake) -> None:
    """The community group (bot is admin), the managers' chat, a manager, users and an impostor."""
    fake.add_group(GROUP, "OKX Community", username="okx_community")
    fake.add_group(ADMINS, "OKX moderators", kind="group")
    fake.add_user(BOSS, "Boss", "boss", started=True)
    fake.add_user(MALLORY, "Mallory", "mallory", started=True)
    fake.add_user(LI, "Li", "li_wei", started=True, language_code="zh-hans")
    fake.add_user(ALICE, "Alice", "alice", started=True)
    fake.add_user(IMPOSTOR, "OKX Support", "0kx_support")


def _leaks_in(text: str) -> bool:
    """Whether any three consecutive words of the test phrase appear in a text."""
    words = PHRASE.split()
    return any(re.search(r"\W*".join(words[i : i + 3]), text) for i in range(len(words) - 2))


@asynccontextmanager
async def _daemon(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store: Store,
    modes: dict[str, str] | None = None,
    replay: Path | None = None,
    lists: str = "",
) -> AsyncIterator[TelegramFake]:
    """The daemon as `monitor run` assembles it (plus a replay connector if
    given), sending every 50 ms."""
    async with TelegramFake() as fake:
        _world(fake)
        monkeypatch.setenv("TG_TOKEN", fake.token)
        path = write_config(tmp_path, fake.base_url, admin_chat_id=ADMINS)
        if lists:  # [monitor] lines naming the phishing and allow lists
            path.write_text(
                path.read_text().replace('db = "monitor.db"', f'db = "monitor.db"\n{lists}')
            )
        for kind, mode in (modes or {}).items():
            path.write_text(path.read_text().replace(f'{kind} = "auto"', f'{kind} = "{mode}"'))
        settings = config.load(path)
        # Telegram first: it takes the alerts
        connectors: list[Connector] = build_connectors(settings, store)
        if replay is not None:
            connectors.append(ReplayConnector(replay, store))
        ingest = daemon.Ingest(
            Pipeline.from_settings(settings, store.salt()), store, settings.modes, False
        )
        stop = asyncio.Event()
        task = asyncio.create_task(
            daemon.run(connectors, ingest, stop, 0.05, Outbound.from_settings(settings))
        )
        try:
            yield fake
        finally:
            stop.set()
            await task


def _texts(fake: TelegramFake, chat: int) -> list[str]:
    """What the bot sent to one chat, oldest first."""
    return [m["text"] for m in fake.sent_to(chat)]


async def _ask(fake: TelegramFake, chat: int, user: int, text: str) -> str:
    """Send a command and wait for the bot's reply to it."""
    message = fake.post(chat, user, text)
    await until(lambda: any(m["asked_reply_to"] == message for m in fake.sent_to(chat)))
    return next(m["text"] for m in fake.sent_to(chat) if m["asked_reply_to"] == message)


def _audit(store: Store) -> list[tuple[str, str]]:
    """(who, action) of every audit entry."""
    return [(r["who"], r["action"]) for r in store.db["audit"].rows]


def test_user_commands_answer_in_the_users_language(tmp_path, monkeypatch) -> None:
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> None:
        async with _daemon(tmp_path, monkeypatch, store) as fake:
            assert "官方客服" in await _ask(fake, LI, LI, "/start")
            helped = await _ask(fake, LI, LI, "/help")
            assert [ln.split()[0] for ln in helped.splitlines() if ln.startswith("/")] == [
                "/start",
                "/help",
                "/support",
                "/verify",
                "/report",
            ]
            support = await _ask(fake, LI, LI, "/support")
            assert "在线客服" in support and "https://www.okx.com/support/submit-request" in support
            assert (await _ask(fake, LI, LI, "/verify @0kx_support")).startswith("可疑")
            asked = await _ask(
                fake, LI, LI, "/verify 这个@OKXOfficial_English和okx-help.com是官方的吗？"
            )
            official, fake_site = asked.split("\n\n")  # one answer per item named
            assert official.startswith("官方: OKXOfficial_English") and fake_site.startswith("可疑")
            assert "okx-help[.]com" in fake_site
            assert "编号" in await _ask(fake, LI, LI, "/report @0kx_helpdesk")
            assert "Official OKX support" in await _ask(fake, ALICE, ALICE, "/support")
            # Chinese in the text
            assert "官方客服" in await _ask(fake, ALICE, ALICE, "/support 客服在哪里")
            link = await _ask(fake, GROUP, ALICE, "/verify https://okx.com.verify-login.io/login")
            assert link.startswith("SUSPICIOUS") and "verify-login[.]io" in link
            assert "OFFICIAL: OKXOfficial_English" in await _ask(
                fake, GROUP, ALICE, "/verify@okx_guard_bot https://t.me/OKXOfficial_English"
            )
            await until(lambda: len(fake.sent_to(ADMINS)) == 1)  # the report reached the managers
            assert "user_report" in fake.sent_to(ADMINS)[0]["text"]

    asyncio.run(scenario())
    [finding] = store.post_findings(
        "telegram", store.db.execute("SELECT id FROM posts").fetchone()[0]
    )
    assert (finding["kind"], finding["label"], finding["status"]) == (
        "impersonation",
        "user_report",
        "new",
    )


def test_a_seed_phrase_in_a_group_report_is_warned_deleted_and_never_stored(
    tmp_path, monkeypatch, caplog
) -> None:
    store = Store(tmp_path / "monitor.db")
    caplog.set_level(logging.DEBUG)

    async def scenario() -> TelegramFake:
        async with _daemon(tmp_path, monkeypatch, store) as fake:
            message = fake.post(GROUP, ALICE, f"/report he asked me for {PHRASE}")
            await until(
                lambda: (
                    (GROUP, message) in fake.deleted
                    and len(fake.sent_to(ADMINS)) == 1
                    and bool(fake.sent_to(GROUP))
                )
            )
            return fake

    fake = asyncio.run(scenario())
    assert "looks like a seed phrase" in fake.sent_to(GROUP)[0]["text"]
    dump = json.dumps([list(store.db[t].rows) for t in store.db.table_names()], ensure_ascii=False)
    for place in (dump, caplog.text, "\n".join(m["text"] for m in fake.sent)):
        assert not _leaks_in(place)
    assert "seed phrase removed" in dump


def test_manager_commands_in_the_admin_chat_and_a_dm(tmp_path, monkeypatch) -> None:
    store, ids = sample(tmp_path / "monitor.db")
    imp, leak, support = ids["imp"][0], ids["leak"][0], ids["support"][0]
    reply_id = next(a["id"] for a in store.post_actions("twitter", "1") if a["kind"] == "reply")

    async def scenario() -> None:
        async with _daemon(tmp_path, monkeypatch, store) as fake:
            flags = await _ask(fake, ADMINS, BOSS, "/flags impersonation 5")
            assert (
                flags.startswith("2 waiting for review") and f"#{imp} impersonation/handle" in flags
            )
            shown = await _ask(fake, BOSS, BOSS, f"/show {imp}")  # a DM with the bot works too
            assert f"finding {imp}: impersonation/handle" in shown
            assert len(fake.buttons(BOSS, fake.sent_to(BOSS)[-1]["message_id"])) == 3
            assert f"reply #{reply_id} goes out" in await _ask(
                fake, ADMINS, BOSS, f"/approve {reply_id}"
            )
            assert "false_positive" in await _ask(fake, ADMINS, BOSS, f"/dismiss {support}")
            assert "resolved" in await _ask(fake, ADMINS, BOSS, f"/resolve {leak}")
            stats = await _ask(fake, ADMINS, BOSS, "/stats 7d")
            assert "support_request: 0 confirmed, 1 dismissed" in stats and "Sending: on" in stats
            assert "Sending paused" in await _ask(fake, ADMINS, BOSS, "/pause")
            assert "paused" in await _ask(fake, ADMINS, BOSS, "/stats")
            assert "Sending resumed" in await _ask(fake, ADMINS, BOSS, "/resume")
            assert "reddit muted" in await _ask(fake, ADMINS, BOSS, "/mute reddit")
            assert "muted on reddit" in await _ask(fake, ADMINS, BOSS, "/stats 24h")
            assert "reddit unmuted" in await _ask(fake, ADMINS, BOSS, "/unmute reddit")
            helped = await _ask(fake, ADMINS, BOSS, "/help")
            assert [ln.split()[0] for ln in helped.splitlines() if ln.startswith("/")][5:] == [
                f"/{c}" for c in (*MANAGER_COMMANDS, *GROUP_COMMANDS)
            ]

    asyncio.run(scenario())
    assert store.db["actions"].get(reply_id)["status"] == "planned"  # no X connector here: it waits
    commands = [a for w, a in _audit(store) if w == "telegram:11 @boss" and a.startswith("/")]
    assert commands == [
        "/flags",
        "/show",
        "/approve",
        "/dismiss",
        "/resolve",
        "/stats",
        "/pause",
        "/stats",
        "/resume",
        "/mute",
        "/stats",
        "/unmute",
    ]
    assert store.meta("paused") == "0" and store.meta("muted:reddit") == "0"


def test_anyone_else_is_refused_every_manager_command(tmp_path, monkeypatch, caplog) -> None:
    store, ids = sample(tmp_path / "monitor.db")
    caplog.set_level(logging.INFO)
    # not an admin; an admin, wrong chat
    attempts = [(ADMINS, MALLORY), (MALLORY, MALLORY), (GROUP, BOSS)]

    async def scenario() -> None:
        async with _daemon(tmp_path, monkeypatch, store) as fake:
            for command in MANAGER_COMMANDS:
                for chat, user in attempts:
                    assert await _ask(fake, chat, user, f"/{command} {ids['imp'][0]}") == REFUSAL

    asyncio.run(scenario())
    refused = [a for _, a in _audit(store)]
    assert refused == [f"refused:/{c}" for c in MANAGER_COMMANDS for _ in attempts]
    assert store.meta("paused") is None and {f["status"] for f in store.db["findings"].rows} == {
        "new"
    }
    lines = [r.getMessage() for r in caplog.records if "refused /" in r.getMessage()]
    assert len(lines) == len(MANAGER_COMMANDS) * len(attempts)
    assert (
        lines[0]
        == f"telegram: refused /flags from user {MALLORY} in chat {ADMINS} (not a manager here)"
    )


def test_alert_buttons_approve_and_dismiss(tmp_path, monkeypatch) -> None:
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> TelegramFake:
        async with _daemon(tmp_path, monkeypatch, store, {"impersonation": "review"}) as fake:
            asked = fake.post(GROUP, ALICE, "my withdrawal is stuck, anyone?")
            fake.post(
                GROUP,
                IMPOSTOR,
                "Hello, I am from OKX support. Please DM me and I will help you "
                "recover your withdrawal.",
                reply_to=asked,
            )
            await until(lambda: len(fake.sent_to(ADMINS)) == 1)
            alert = fake.sent_to(ADMINS)[0]
            buttons = fake.buttons(ADMINS, alert["message_id"])
            assert [label.split(" #")[0] for label, _ in buttons] == [
                "Approve reply",
                "Approve report",
                "Dismiss (false positive)",
            ]
            fake.press(ADMINS, alert["message_id"], MALLORY, buttons[0][1])
            await until(lambda: len(fake.answers) == 1)
            assert fake.answers[0]["text"] == "Only the support managers can use these buttons."
            fake.press(ADMINS, alert["message_id"], BOSS, buttons[0][1])
            await until(
                lambda: any(
                    m["asked_reply_to"] == asked and "0kx_support" in m["text"]
                    for m in fake.sent_to(GROUP)
                )
            )  # the approved warning went out
            assert fake.answers[1]["text"].startswith("Approved by telegram:11 @boss: reply #")
            # the buttons are edited in a call of their own after the press is answered: wait for it
            await until(lambda: fake.buttons(ADMINS, alert["message_id"]) == buttons[1:])
            fake.press(ADMINS, alert["message_id"], BOSS, buttons[2][1])
            await until(lambda: not fake.buttons(ADMINS, alert["message_id"]))
            return fake

    fake = asyncio.run(scenario())
    assert "is now false_positive" in fake.answers[2]["text"]
    [finding] = [f for f in store.db["findings"].rows if f["kind"] == "impersonation"]
    assert finding["status"] == "false_positive"
    kinds = {
        a["kind"]: a["status"]
        for a in store.post_actions("telegram", f"{GROUP}:{finding['post_id'].split(':')[1]}")
    }
    assert kinds == {"reply": "sent", "alert": "sent", "report": "skipped"}
    audit = [a for _, a in _audit(store)]
    assert (
        audit.count("refused:button") == 1
        and "button:approve" in audit
        and "button:dismiss" in audit
    )


def _replay_leak(tmp_path: Path) -> Path:
    """A Discord post in which a user pastes their seed phrase, as a replay file."""
    path = tmp_path / "discord.jsonl"
    post = {
        "id": "d-1",
        "platform": "discord",
        "channel": "group",
        "text": f"help, my seed is {PHRASE}",
        "author": {"id": "u-9", "handle": "dave"},
        "url": "https://discord.com/channels/1/2/3",
    }
    path.write_text(json.dumps(post) + "\n", encoding="utf-8")
    return path


def test_a_leak_seen_on_another_platform_is_alerted_within_seconds(tmp_path, monkeypatch) -> None:
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> tuple[TelegramFake, float]:
        started = time.monotonic()
        async with _daemon(
            tmp_path, monkeypatch, store, {"secret_leak": "review"}, _replay_leak(tmp_path)
        ) as fake:
            await until(lambda: len(fake.sent_to(ADMINS)) == 1, timeout=5)
            return fake, time.monotonic() - started

    fake, took = asyncio.run(scenario())
    alert = fake.sent_to(ADMINS)[0]
    assert took < 5 and alert["text"].startswith("secret_leak: seed_phrase on discord by @dave")
    assert not _leaks_in(alert["text"]) and "12 words, English" in alert["text"]
    assert [label.split(" #")[0] for label, _ in fake.buttons(ADMINS, alert["message_id"])] == [
        "Approve delete",
        "Approve dm",
        "Approve reply",
        "Dismiss (false positive)",
    ]
    assert {a["status"] for a in store.post_actions("discord", "d-1") if a["kind"] != "alert"} == {
        "held"
    }


def test_paused_sending_still_alerts_and_resume_sends(tmp_path, monkeypatch) -> None:
    store = Store(tmp_path / "monitor.db")

    def statuses() -> dict[str, str]:
        return {a["kind"]: a["status"] for a in store.db["actions"].rows}

    async def scenario() -> None:
        async with _daemon(tmp_path, monkeypatch, store) as fake:
            await _ask(fake, ADMINS, BOSS, "/pause")
            fake.post(GROUP, ALICE, f"my wallet is empty, seed: {PHRASE}")
            await until(lambda: statuses().get("alert") == "sent")
            assert len(fake.sent_to(ADMINS)) == 2  # the /pause answer, then the alert
            assert statuses() == {
                "delete": "planned",
                "dm": "planned",
                "reply": "planned",
                "alert": "sent",
            }
            assert not fake.deleted and not fake.sent_to(ALICE)
            await _ask(fake, ADMINS, BOSS, "/resume")
            await until(lambda: set(statuses().values()) == {"sent"})
            assert len(fake.deleted) == 1 and len(fake.sent_to(ALICE)) == 1

    asyncio.run(scenario())


def _lookalike_flags(store: Store) -> list[int]:
    """Ids of the impersonation findings stored so far."""
    return [r["id"] for r in store.db["findings"].rows_where("kind = 'impersonation'")]


def test_dismiss_allow_silences_the_link_for_the_running_daemon(tmp_path, monkeypatch) -> None:
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> None:
        async with _daemon(
            tmp_path, monkeypatch, store, lists='allow_list = "allowed.txt"'
        ) as fake:
            fake.post(GROUP, ALICE, "the fee table is on https://okx-fans.example/fees")
            await until(lambda: len(_lookalike_flags(store)) == 1)
            [flag] = _lookalike_flags(store)
            answer = await _ask(fake, ADMINS, BOSS, f"/dismiss {flag} allow")
            assert answer.endswith(
                "On the allow list now, never flagged as look-alikes again: okx-fans[.]example"
            )
            await asyncio.sleep(1.1)  # the detector looks at the list file at most once a second
            fake.post(GROUP, ALICE, "and the limits are on https://okx-fans.example/limits")
            # another look-alike still flags
            fake.post(GROUP, ALICE, "fees at https://okx-fees.example/x")
            await until(lambda: len(_lookalike_flags(store)) == 2)
            await until(lambda: store.db["posts"].count == 3)

    asyncio.run(scenario())
    flagged = [store.db["findings"].get(i)["post_id"] for i in _lookalike_flags(store)]
    texts = [
        store.db.execute("SELECT text FROM posts WHERE id = ?", [p]).fetchone()[0] for p in flagged
    ]
    assert ["okx-fans" in t for t in texts] == [True, False] and "okx-fees" in texts[1]
    assert (tmp_path / "allowed.txt").read_text(encoding="utf-8").splitlines()[1:] == [
        "okx-fans.example"
    ]


def test_block_in_the_admin_chat_flags_the_next_post_with_the_link(tmp_path, monkeypatch) -> None:
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> None:
        async with _daemon(
            tmp_path, monkeypatch, store, lists='phishing_list = "phishing.txt"'
        ) as fake:
            fake.post(GROUP, ALICE, "is https://quick-portal.example/get legit?")
            await until(lambda: store.db["posts"].count == 1)
            answer = await _ask(fake, ADMINS, BOSS, "/block quick-portal.example")
            assert answer == (
                "On the phishing list now; posts linking to it flag within a second: "
                "quick-portal[.]example"
            )
            await asyncio.sleep(1.1)  # the detector looks at the list file at most once a second
            fake.post(GROUP, MALLORY, "log in at https://quick-portal.example/get")
            await until(lambda: len(_lookalike_flags(store)) == 1)

    asyncio.run(scenario())
    [flag] = [store.db["findings"].get(i) for i in _lookalike_flags(store)]
    assert "on the phishing list (quick-portal.example)" in flag["evidence"]
    assert ("telegram:11 @boss", "/block") in _audit(store)
