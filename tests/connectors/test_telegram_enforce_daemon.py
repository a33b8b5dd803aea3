"""Issue 23's "done when" on Telegram: the real daemon and connector against the loopback fake
remove an impostor's phishing reply in a group, restrict the account, warn the victim and alert the
managers; the member who warned, the group's admins and the brand's account are untouched; where
the bot lacks a right nothing it cannot do is planned and the alert says why."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from monitor.cli.connecting import build_connectors
from monitor.core import config
from monitor.core.pipeline import Pipeline
from monitor.runtime import daemon
from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until, write_config

GROUP, DELETE_ONLY, ADMINS = -100500, -100600, -100999
OWNER, ALICE, CAROL, BRAND, IMPOSTOR, IMPOSTOR2 = 11, 21, 23, 30, 66, 67
SCAM = ("Hello, I am from OKX support. Please verify your wallet at https://okx-verify-wallet.com "
        "and I will recover your withdrawal")
HELP = "Hi, my withdrawal of 2 ETH has been pending for 3 days, can someone help?"
ENFORCE = '''
[policy]
impersonation = ["reply", "alert", "report", "delete", "restrict"]

[limits]
user_cooldown = 0
thread_cooldown = 0
'''


def enforcing_config(folder: Path, base_url: str) -> Path:
    """The fake's usual config with [policy] impersonation removing and restricting, and [modes]
    sending removals and restrictions at once."""
    path = write_config(folder, base_url, admin_chat_id=ADMINS, extra=ENFORCE)
    text = path.read_text(encoding="utf-8").replace(
        'impersonation = "auto"\n',
        'impersonation = "auto"\ndelete = "auto"\nrestrict = "auto"\n', 1)
    path.write_text(text, encoding="utf-8")
    return path


def world(fake: TelegramFake) -> None:
    """A group where the bot may delete and restrict, one where it may only delete, the managers'
    chat, the group's owner, the brand's account, two members and two impostors."""
    fake.add_group(GROUP, "OKX Community", username="okx_community", bot_can_restrict=True)
    fake.add_group(DELETE_ONLY, "OKX Traders")
    fake.add_group(ADMINS, "OKX moderators", kind="group")
    fake.add_user(OWNER, "Olga", "olga_okx")
    fake.add_user(ALICE, "Alice", "alice", started=True)
    fake.add_user(CAROL, "Carol", "carol")
    fake.add_user(BRAND, "OKX", "OKXOfficial_English")
    fake.add_user(IMPOSTOR, "OKX Support", "0kx_support")
    fake.add_user(IMPOSTOR2, "OKX Support", "okx_support_desk_help")
    for chat in (GROUP, DELETE_ONLY):
        fake.add_admin(chat, OWNER)


async def run_daemon(settings: config.Settings, store: Store, stop: asyncio.Event) -> None:
    """The daemon as `monitor run` assembles it, sending every 50 ms."""
    connectors = build_connectors(settings, store)
    ingest = daemon.Ingest(Pipeline.from_settings(settings, store.salt()), store, settings.modes,
                           dry_run=False)
    try:
        await daemon.run(connectors, ingest, stop, send_interval=0.05)
    finally:
        for connector in connectors:
            await connector.close()  # type: ignore[attr-defined]


def test_an_impostor_is_removed_and_restricted_and_nobody_else_is_touched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> tuple[TelegramFake, dict[str, int]]:
        async with TelegramFake(can_read_all_group_messages=True) as fake:
            world(fake)
            monkeypatch.setenv("TG_TOKEN", fake.token)
            settings = config.load(enforcing_config(tmp_path, fake.base_url))
            ids = {"help": fake.post(GROUP, ALICE, HELP)}
            ids["scam"] = fake.post(GROUP, IMPOSTOR, SCAM, reply_to=ids["help"])
            ids["warning"] = fake.post(GROUP, CAROL, "careful, @0kx_support is a scammer, do not "
                                       "open okx-verify-wallet.com", reply_to=ids["scam"])
            ids["owner"] = fake.post(GROUP, OWNER, "OKX support will never DM you first.")
            ids["brand"] = fake.post(GROUP, BRAND, "Withdrawals are running normally again.")
            ids["help2"] = fake.post(DELETE_ONLY, ALICE, HELP)
            ids["scam2"] = fake.post(DELETE_ONLY, IMPOSTOR2, SCAM, reply_to=ids["help2"])
            stop = asyncio.Event()
            task = asyncio.create_task(run_daemon(settings, store, stop))
            await until(lambda: store.db["posts"].count == 7 and not [
                *store.actions("planned"), *store.actions("sending")], timeout=120)
            await until(lambda: len(fake.sent_to(ADMINS)) >= 2)
            stop.set()
            await task
            return fake, ids

    fake, ids = asyncio.run(scenario())
    # The impostor's post is gone and the account may not write for a day, in that group only.
    assert (GROUP, ids["scam"]) in fake.deleted and (DELETE_ONLY, ids["scam2"]) in fake.deleted
    assert set(fake.restricted) == {(GROUP, IMPOSTOR)}
    assert not fake.restricted[(GROUP, IMPOSTOR)]["permissions"]["can_send_messages"]
    assert [(m, c, u) for m, c, u in fake.moderated] == [("restrictChatMember", GROUP, IMPOSTOR)]
    # The victim is warned in their thread; the managers hear of both impostors.
    warned = [m for m in fake.sent_to(GROUP) if m["asked_reply_to"] == ids["help"]]
    assert any("0kx_support" in m["text"] for m in warned)
    alerts = [m["text"] for m in fake.sent_to(ADMINS)]
    assert any("0kx_support" in t for t in alerts)
    # Where the bot may only delete, the restriction is not planned and the alert says why.
    assert any("cannot restrict here: the bot has not the right in this place" in t for t in alerts)
    planned = {(a["post_id"], a["kind"]) for a in store.actions()}
    assert (f"{DELETE_ONLY}:{ids['scam2']}", "restrict") not in planned
    # The member who warned, the group's owner and the brand's account are untouched.
    for who in ("warning", "owner", "brand", "help"):
        assert (GROUP, ids[who]) not in fake.deleted
        assert not [k for p, k in planned if p == f"{GROUP}:{ids[who]}" and k in
                    ("delete", "restrict", "ban")]
    assert not fake.banned
