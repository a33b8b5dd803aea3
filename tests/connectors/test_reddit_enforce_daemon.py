"""Issue 23's "done when" on Reddit: the real daemon with the Reddit connector (and Telegram's for
the managers' chat) against the loopback fakes removes an impostor's phishing comment, bans the
account for the restriction's days, warns the victim and alerts the managers; the member who
warned, the subreddit's moderator and the brand's account are untouched; where the bot's moderator
permissions lack Access no ban is planned and the alert says why."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fakes.reddit import BOT, ENV, FakeReddit, new_fake

from monitor.cli.connecting import build_connectors
from monitor.core import config
from monitor.core.pipeline import Pipeline
from monitor.runtime import daemon
from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until

ADMINS = -100999
SCAM = ("Hello, I am from OKX support team. Please verify your wallet at "
        "https://okx-verify-wallet.com and I will fix your withdrawal")
CONFIG = """
[brand]
name = "OKX"
domains = ["okx.com"]
live_chat_url = "https://www.okx.com/help"
ticket_url = "https://www.okx.com/support/submit-request"

[brand.accounts]
reddit = ["OKX_Official", "{bot}"]

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

[reddit]
enabled = true
base_url = "{base}"
subreddits = ["OKX"]
poll_interval = 0.1
max_retry_wait = 2.0

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


@pytest.mark.parametrize("permissions", [["all"], ["posts"]])
def test_an_impostor_is_removed_and_banned_for_a_day_and_nobody_else_is_touched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, permissions: list[str]) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> tuple[FakeReddit, TelegramFake, dict[str, str]]:
        async with new_fake() as fake, TelegramFake() as managers:
            managers.add_group(ADMINS, "OKX moderators", kind="group")
            monkeypatch.setenv("TG_TOKEN", managers.token)
            for name in ("alice_trades", "carol_hodl", "mia_okx_mod", "OKX_Official"):
                fake.add_user(name, days_old=900)
            fake.add_user("0kx_support", days_old=2)
            fake.moderators["okx"] = ["mia_okx_mod", BOT]
            fake.permissions[BOT.casefold()] = permissions
            fake.moderated.add("okx")
            path = tmp_path / "monitor.toml"
            path.write_text(CONFIG.format(bot=BOT, base=fake.url, telegram=managers.base_url,
                                          admins=ADMINS))
            ids = {"thread": fake.add_submission("OKX", "mia_okx_mod", "Withdrawals today",
                                                 "OKX support will never DM you first.")}
            ids["help"] = fake.add_comment(ids["thread"], "alice_trades", "my withdrawal has been "
                                           "pending for 3 days, can someone help?")
            ids["scam"] = fake.add_comment(ids["help"], "0kx_support", SCAM)
            ids["warning"] = fake.add_comment(ids["scam"], "carol_hodl", "careful, u/0kx_support "
                                              "is a scammer, do not open okx-verify-wallet.com")
            ids["brand"] = fake.add_comment(ids["thread"], "OKX_Official",
                                            "Withdrawals are running normally again.")
            stop = asyncio.Event()
            task = asyncio.create_task(run_daemon(config.load(path), store, stop))
            await until(lambda: store.db["posts"].count == 5 and not [
                *store.actions("planned"), *store.actions("sending")], timeout=120)
            await until(lambda: bool(managers.sent_to(ADMINS)))
            stop.set()
            await task
            return fake, managers, ids

    fake, managers, ids = asyncio.run(scenario())
    assert fake.sent.removed == [ids["scam"]]
    warnings = [r for r in fake.sent.replies if r["parent"] == ids["help"]]
    assert any("0kx_support" in r["text"] for r in warnings)
    alerts = [m["text"] for m in managers.sent_to(ADMINS)]
    assert any("0kx_support" in t for t in alerts)
    assert [r["id"] for r in fake.sent.reported] == [ids["scam"]]  # reported to Reddit too
    if "all" in permissions:
        assert fake.bans == {("okx", "0kx_support"): "1"}  # 60 minutes: a day, Reddit's least
        assert [(m["api"], m["name"]) for m in fake.sent.moderated] == [("friend", "0kx_support")]
    else:
        assert not fake.bans and not fake.sent.moderated
        assert any("cannot restrict here: the bot has not the right in this place" in t
                   for t in alerts)
    planned = {(a["post_id"], a["kind"]) for a in store.actions()}
    for who in ("warning", "thread", "brand", "help"):
        assert not [k for p, k in planned if p == ids[who] and k in ("delete", "restrict", "ban")]
        assert ids[who] not in fake.sent.removed
