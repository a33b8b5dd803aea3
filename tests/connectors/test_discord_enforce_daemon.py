"""Issue 23's "done when" on Discord: the real daemon with the Discord connector (and Telegram's for
the managers' chat) against the loopback fakes removes an impostor's phishing reply, times the
account out, warns the victim and alerts the managers; the member who warned, the server's moderator
and the brand's account are untouched; without Moderate Members no timeout is planned and the alert
says why."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.discord import MANAGE_MESSAGES, TOKEN, FakeDiscord

from monitor.cli.connecting import build_connectors
from monitor.core import config
from monitor.core.pipeline import Pipeline
from monitor.runtime import daemon
from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until

ADMINS = -100999
SCAM = ("Hello, I am from OKX support team. Please verify your wallet at "
        "https://okx-verify-wallet.com and I will fix your withdrawal")
HELP = "Hi, I cannot withdraw my USDT, the withdrawal has been pending for 3 days. Please help"
CONFIG = """
[brand]
name = "OKX"
domains = ["okx.com"]
live_chat_url = "https://www.okx.com/help"
ticket_url = "https://www.okx.com/support/submit-request"

[brand.accounts]
discord = ["OKX"]

[modes]
support_request = "auto"
impersonation = "auto"
secret_leak = "auto"
delete = "auto"
restrict = "auto"

[policy]
impersonation = ["reply", "alert", "report", "delete", "restrict"]

[enforce]
restrict_minutes = 60

[limits]
user_cooldown = 0
thread_cooldown = 0

[discord]
enabled = true
api_base = "{api}"
gateway_url = "{gateway}"
token_env = "SM_TEST_DISCORD_TOKEN"
message_content = true

[telegram]
enabled = true
base_url = "{telegram}"
token_env = "TG_TOKEN"
poll_timeout = 1
admin_chat_id = {admins}
"""


async def run_daemon(settings: config.Settings, store: Store, stop: asyncio.Event) -> None:
    """The daemon as `monitor run` assembles it, sending every 50 ms."""
    connectors = build_connectors(settings, store)
    ingest = daemon.Ingest(Pipeline.from_settings(settings, store.salt()), store, settings.modes,
                           dry_run=False)
    try:
        await daemon.run(connectors, ingest, stop, send_interval=0.05)
    finally:
        for connector in connectors:
            if (close := getattr(connector, "close", None)) is not None:
                await close()


@pytest.mark.parametrize("may_time_out", [True, False])
def test_an_impostor_is_removed_and_timed_out_and_nobody_else_is_touched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, may_time_out: bool) -> None:
    store = Store(tmp_path / "monitor.db")
    monkeypatch.setenv("SM_TEST_DISCORD_TOKEN", TOKEN)
    old = datetime.now(UTC) - timedelta(days=900)

    async def scenario() -> tuple[FakeDiscord, TelegramFake, dict[str, dict]]:
        fake = await FakeDiscord(content_intent_enabled=True, bot_permissions=None if may_time_out
                                 else MANAGE_MESSAGES).start()
        async with TelegramFake() as managers:
            managers.add_group(ADMINS, "OKX moderators", kind="group")
            monkeypatch.setenv("TG_TOKEN", managers.token)
            path = tmp_path / "monitor.toml"
            path.write_text(CONFIG.format(api=fake.api_base, gateway=fake.gateway_url,
                                          telegram=managers.base_url, admins=ADMINS))
            people = {name: fake.add_user(name, created=old) for name in ("alice", "carol", "OKX")}
            people["mod"] = fake.add_user("kai_okx", "Kai", created=old)
            fake.give_role(people["mod"], fake.add_role("Moderators", MANAGE_MESSAGES))
            people["impostor"] = fake.add_user("0kx_support", "OKX Support",
                                               created=datetime.now(UTC) - timedelta(days=2))
            stop = asyncio.Event()
            task = asyncio.create_task(run_daemon(config.load(path), store, stop))
            await until(fake.connected, timeout=60)
            posts = {"help": await fake.post(fake.general, people["alice"], HELP)}
            posts["scam"] = await fake.post(fake.general, people["impostor"], SCAM,
                                            reply_to=int(posts["help"]["id"]))
            posts["warning"] = await fake.post(
                fake.general, people["carol"], "careful, @0kx_support is a scammer, do not open "
                "okx-verify-wallet.com", reply_to=int(posts["scam"]["id"]))
            posts["mod"] = await fake.post(fake.general, people["mod"],
                                           "OKX support will never DM you first.")
            posts["brand"] = await fake.post(fake.general, people["OKX"],
                                             "Withdrawals are running normally again.")
            await until(lambda: store.db["posts"].count == 5 and not [
                *store.actions("planned"), *store.actions("sending")], timeout=120)
            await until(lambda: bool(managers.sent_to(ADMINS)))
            stop.set()
            await task
        await fake.stop()
        return fake, managers, {**posts, **{f"user:{k}": v for k, v in people.items()}}

    fake, managers, ids = asyncio.run(scenario())
    scam, impostor = ids["scam"], ids["user:impostor"]
    assert fake.deleted == [(fake.general, int(scam["id"]))]
    warnings = [m for m in fake.replies_to(ids["help"]) if "0kx_support" in m["content"]]
    assert len(warnings) == 1
    alerts = [m["text"] for m in managers.sent_to(ADMINS)]
    assert any("0kx_support" in t for t in alerts)
    if may_time_out:
        assert list(fake.timeouts) == [int(impostor["id"])]
        until_ = datetime.fromisoformat(fake.timeouts[int(impostor["id"])])
        assert until_ - datetime.now(UTC) < timedelta(minutes=61)
        done = [(what, who) for what, who, _ in fake.moderated]
        assert done == [("timeout", int(impostor["id"]))]
        assert "impersonating" in fake.moderated[0][2]  # the reason is in the audit log
    else:
        assert not fake.timeouts and not fake.moderated
        assert any("cannot restrict here: the bot has not the right in this place" in t
                   for t in alerts)
    planned = {(a["post_id"], a["kind"]) for a in store.actions()}
    for who in ("warning", "mod", "brand", "help"):
        post_id = f"{fake.general}:{ids[who]['id']}"
        assert not [k for p, k in planned if p == post_id and k in ("delete", "restrict", "ban")]
    assert not fake.bans
