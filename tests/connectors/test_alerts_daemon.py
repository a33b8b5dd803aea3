"""The daemon as `monitor run` assembles it, against the Telegram fake, with [alerts] routing
alerts and the daily digest to the Slack, webhook and SMTP fakes: each receives them, and no
raw secret."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from pathlib import Path

import pytest
from mnemonic import Mnemonic

from monitor.cli.alerts import alerting_for, managers_chat
from monitor.cli.connecting import build_connectors
from monitor.core import config
from monitor.core.pipeline import Pipeline
from monitor.desk import digest
from monitor.runtime import daemon
from monitor.store import Store
from monitor.store.alert_rows import deliveries
from tests.fakes.slack import GOOD_TOKEN, SlackFake
from tests.fakes.smtp import SmtpServer
from tests.fakes.telegram import TelegramFake, until, write_config
from tests.fakes.webhook import WebhookReceiver

GROUP, ADMINS = -100500, -100999
BOB, CAROL, IMPOSTOR = 22, 23, 66
PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16, 32)))  # a valid 12-word BIP39 phrase
API_KEY = str(uuid.UUID(int=0x5EC2E7_0000_4000_8000_00000000ABCD))
API_SECRET = "9F3A6C0B1D2E4F5A6B7C8D9E0F1A2B3C"
HOOK_SECRET = b"hmac-secret-of-the-desk-webhook"

ALERTS = """
[alerts.slack]
enabled = true
channel = "#okx-alerts"
token_env = "SLACK_T"
base_url = "{slack}"

[alerts.webhook]
enabled = true
url = "{hook}"
secret_env = "HOOK_T"
attempts = 3
backoff = 0.05

[alerts.email]
enabled = true
host = "127.0.0.1"
port = {smtp}
from = "monitor@okx.com"
to = ["desk@okx.com"]
starttls = false

[alerts.routes]
secret_leak = ["telegram", "slack", "webhook", "email"]
impersonation = ["slack"]

[alerts.digest]
enabled = true
at = "00:00"
channels = ["telegram", "slack", "webhook", "email"]
"""


def _secret_patterns() -> list[re.Pattern[str]]:
    """Any three consecutive words of the phrase, the API key, the API secret."""
    words = PHRASE.split()
    triples = [r"\W*".join(words[i : i + 3]) for i in range(len(words) - 2)]
    return [re.compile(p) for p in [*triples, API_KEY, API_SECRET]]


def _world(fake: TelegramFake) -> None:
    fake.add_group(GROUP, "OKX Community", username="okx_community")
    fake.add_group(ADMINS, "OKX moderators", kind="group")
    fake.add_user(BOB, "Bob", "bob_trades", started=True)
    fake.add_user(CAROL, "Carol", "carol", started=True)
    fake.add_user(IMPOSTOR, "OKX Support", "0kx_support")


async def _daemon(settings: config.Settings, store: Store, stop: asyncio.Event) -> None:
    """`monitor run`'s assembly: connectors, pipeline, the alert channels, the digest."""
    connectors = build_connectors(settings, store)
    ingest = daemon.Ingest(Pipeline.from_settings(settings, store.salt()), store, settings.modes,
                           dry_run=False)
    ingest.alerting = alerting_for(settings, managers_chat(connectors))
    try:
        await daemon.run(connectors, ingest, stop, send_interval=0.05, digest=digest.build)
    finally:
        for connector in connectors:
            await connector.close()  # type: ignore[attr-defined]


def test_alerts_and_the_digest_reach_slack_webhook_and_email_without_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    store = Store(tmp_path / "monitor.db")

    async def scenario(smtp: SmtpServer) -> tuple[TelegramFake, SlackFake, WebhookReceiver]:
        async with TelegramFake() as fake, SlackFake() as slack, \
                WebhookReceiver(HOOK_SECRET, fail_first=1) as hook:
            _world(fake)
            for name, value in (("TG_TOKEN", fake.token), ("SLACK_T", GOOD_TOKEN),
                                ("HOOK_T", HOOK_SECRET.decode())):
                monkeypatch.setenv(name, value)
            extra = ALERTS.format(slack=slack.base_url, hook=hook.url, smtp=smtp.port)
            settings = config.load(write_config(tmp_path, fake.base_url, ADMINS, extra))
            fake.post(GROUP, BOB, f"wallet stuck, my seed phrase: {PHRASE} help")
            fake.post(GROUP, CAROL, f"okx api key is {API_KEY} and secret key: {API_SECRET}")
            fake.post(GROUP, IMPOSTOR, "Hello, I am from OKX support. Please DM me and I will "
                      "help you recover your withdrawal.")
            stop = asyncio.Event()
            task = asyncio.create_task(_daemon(settings, store, stop))
            await until(lambda: store.db["posts"].count == 3
                        and not [*store.actions("planned"), *store.actions("sending")]
                        and len(hook.received) >= 3 and len(smtp.messages) >= 3, timeout=90)
            stop.set()
            await task
            return fake, slack, hook

    with SmtpServer() as smtp:
        fake, slack, hook = asyncio.run(scenario(smtp))
    alerts = {r["id"]: r for r in store.db["actions"].rows_where("kind = 'alert'")}
    leak_alerts = [i for i, r in alerts.items() if r["reason"].startswith("secret_leak")]
    assert len(leak_alerts) == 2 and all(alerts[i]["status"] == "sent" for i in alerts)
    for action_id in leak_alerts:  # each channel once, the webhook after one 503
        assert deliveries(store, action_id) == {n: ("sent", "") for n in ("slack", "webhook",
                                                                            "email")}
    slack_texts = [m["text"] for m in slack.posted]
    # Slack: the two leak alerts, the impostor's (routed there only) and the digest
    assert sum(t.startswith("secret_leak") for t in slack_texts) == 2
    assert sum(t.startswith("impersonation") for t in slack_texts) == 1
    assert sum("daily digest" in t for t in slack_texts) == 1
    assert sum("daily digest" in b["text"] for b in hook.received) == 1
    assert sum("daily digest" in m["Subject"] for m in smtp.messages) == 1
    admin_texts = [m["text"] for m in fake.sent_to(ADMINS)]
    assert sum(t.startswith("secret_leak") for t in admin_texts) == 2
    assert not any(t.startswith("impersonation") for t in admin_texts)  # not routed to telegram
    assert sum("daily digest" in t for t in admin_texts) == 1
    assert hook.attempts == len(hook.received) + 1 and hook.bad_signatures == 0
    received = {"slack": "\n".join(slack.bodies), "webhook": "\n".join(hook.bodies),
                "email": smtp.raw() + "".join(m.get_content() for m in smtp.messages),
                "telegram": "\n".join(admin_texts), "logs": caplog.text}
    for where, text in received.items():
        assert not any(p.search(text) for p in _secret_patterns()), f"a secret reached {where}"
