"""The alert channels against loopback fakes: Slack's Web API, a signed webhook, an SMTP server;
the routing's guard, at-most-once per channel and the [alerts] config checks."""

from __future__ import annotations

import asyncio
import logging
import random
import re
from pathlib import Path

import pytest

from monitor.core import config
from monitor.core.models import Action, Author, Post, StoredAction
from monitor.replies.guard import Guard
from monitor.runtime.alerting.mail import MailChannel
from monitor.runtime.alerting.routing import Alerting, AlertingError, build_alerting
from monitor.runtime.alerting.slack import SlackChannel, SlackError
from monitor.runtime.alerting.webhook import WebhookChannel, WebhookError, signature
from monitor.runtime.outbound import Outbound
from monitor.runtime.sender import send_planned
from monitor.store import Store
from monitor.store.alert_rows import deliveries
from tests.fakes.slack import GOOD_TOKEN, SlackFake
from tests.fakes.smtp import SmtpServer
from tests.fakes.webhook import WebhookReceiver
from tests.replies.secretgen import leaks

SECRET = b"webhook-signing-secret-for-tests"
ALERT = "secret_leak: seed phrase on telegram by @bob\n- seed_phrase (1.00): [seed phrase removed]"


def test_slack_posts_through_slack_sdk_and_a_bad_token_is_refused_with_slacks_code() -> None:
    async def scenario() -> SlackFake:
        async with SlackFake() as fake:
            await SlackChannel(GOOD_TOKEN, "#alerts", fake.base_url).send(ALERT)
            with pytest.raises(SlackError, match="invalid_auth") as refused:
                await SlackChannel("xoxb-wrong", "#alerts", fake.base_url).send(ALERT)
            assert "xoxb-wrong" not in str(refused.value)
            return fake

    fake = asyncio.run(scenario())
    assert fake.posted == [{"channel": "#alerts", "text": ALERT}]
    assert len(fake.bodies) == 2


def test_webhook_is_signed_and_retried_after_a_503() -> None:
    async def scenario() -> WebhookReceiver:
        async with WebhookReceiver(SECRET, fail_first=1) as hook:
            await WebhookChannel(hook.url, SECRET, attempts=3, backoff=0.01).send(ALERT)
            return hook

    hook = asyncio.run(scenario())
    assert (hook.attempts, hook.bad_signatures) == (2, 0)
    assert hook.received == [{"text": ALERT, "source": "support-monitor"}]


def test_webhook_never_retries_a_4xx_and_gives_up_after_its_attempts() -> None:
    async def scenario() -> tuple[WebhookReceiver, WebhookReceiver]:
        async with WebhookReceiver(SECRET, fail_first=5, fail_status=400) as refusing, \
                WebhookReceiver(SECRET, fail_first=5) as down:
            with pytest.raises(WebhookError, match="400"):
                await WebhookChannel(refusing.url, SECRET, attempts=3, backoff=0.01).send(ALERT)
            with pytest.raises(WebhookError, match="503"):
                await WebhookChannel(down.url, SECRET, attempts=3, backoff=0.01).send(ALERT)
            return refusing, down

    refusing, down = asyncio.run(scenario())
    assert (refusing.attempts, down.attempts) == (1, 3)


def test_a_wrong_webhook_secret_is_refused_by_the_receiver() -> None:
    async def scenario() -> WebhookReceiver:
        async with WebhookReceiver(SECRET) as hook:
            with pytest.raises(WebhookError, match="401"):
                await WebhookChannel(hook.url, b"another-secret", attempts=1).send(ALERT)
            return hook

    hook = asyncio.run(scenario())
    assert hook.bad_signatures == 1 and hook.received == []


def test_the_signature_covers_timestamp_and_body() -> None:
    assert signature(SECRET, "1", b"{}") != signature(SECRET, "2", b"{}")
    assert signature(SECRET, "1", b"{}").startswith("sha256=")


def test_email_reaches_the_smtp_server() -> None:
    with SmtpServer() as smtp:
        channel = MailChannel("127.0.0.1", smtp.port, "monitor@okx.com", ("desk@okx.com",),
                              starttls=False)
        asyncio.run(channel.send(ALERT))
    (message,) = smtp.messages
    assert message["To"] == "desk@okx.com" and message["From"] == "monitor@okx.com"
    assert message["Subject"].startswith("[support-monitor] secret_leak: seed phrase")
    assert message.get_content().replace("\r\n", "\n").strip() == ALERT  # SMTP sends CRLF


def _alerting(store_path: Path, slack: SlackFake, hook: WebhookReceiver, smtp: SmtpServer,
              settings: config.Settings) -> Alerting:
    channels = {
        "slack": SlackChannel(GOOD_TOKEN, "#alerts", slack.base_url),
        "webhook": WebhookChannel(hook.url, SECRET, attempts=3, backoff=0.01),
        "email": MailChannel("127.0.0.1", smtp.port, "m@okx.com", ("d@okx.com",), starttls=False),
    }
    routes = {"secret_leak": ("telegram", "slack", "webhook", "email")}
    return Alerting(Guard(settings.brand), channels, routes)


def _stored(store: Store, text: str) -> StoredAction:
    post = Post("telegram", "7", Author("telegram", "id-bob", "bob"), "[redacted]", "group")
    action = Action("alert", "telegram", "admin", text, "secret_leak: seed phrase")
    store.plan_action(post, action)
    return store.queued("planned")[0]


def test_each_channel_gets_an_alert_once_and_a_text_with_a_secret_never(
    tmp_path: Path, settings: config.Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    phrase = leaks(random.Random(5))[0][1]
    store = Store(tmp_path / "m.db")

    async def scenario(smtp: SmtpServer) -> tuple[SlackFake, WebhookReceiver, list, list]:
        async with SlackFake() as slack, WebhookReceiver(SECRET) as hook:
            alerting = _alerting(tmp_path, slack, hook, smtp, settings)
            stored = _stored(store, ALERT)
            first = await alerting.deliver_alert(store, stored, ALERT)
            again = await alerting.deliver_alert(store, stored, ALERT)  # e.g. a second pass
            leaky = await alerting.broadcast(["slack", "webhook", "email"], f"oops {phrase}")
            assert set(leaky) == {"slack", "webhook", "email"}
            assert all(reason and "contains a secret" in reason for reason in leaky.values())
            return slack, hook, first, again

    with SmtpServer() as smtp:
        slack, hook, first, again = asyncio.run(scenario(smtp))
    assert first == ["slack", "webhook", "email"] and again == []
    assert len(slack.posted) == len(hook.received) == len(smtp.messages) == 1
    assert deliveries(store, 1) == {n: ("sent", "") for n in ("slack", "webhook", "email")}
    received = "\n".join([*slack.bodies, *hook.bodies, smtp.raw(), caplog.text])
    assert phrase.split()[0] + " " + phrase.split()[1] not in received


def test_a_failing_channel_is_recorded_and_the_others_still_get_the_alert(
    tmp_path: Path, settings: config.Settings
) -> None:
    store = Store(tmp_path / "m.db")

    async def scenario(smtp: SmtpServer) -> tuple[SlackFake, list[str]]:
        async with SlackFake(token="xoxb-another") as slack, WebhookReceiver(SECRET) as hook:
            went = await _alerting(tmp_path, slack, hook, smtp, settings).deliver_alert(
                store, _stored(store, ALERT), ALERT)
            return slack, went

    with SmtpServer() as smtp:
        slack, went = asyncio.run(scenario(smtp))
    assert went == ["webhook", "email"] and slack.posted == []
    status, result = deliveries(store, 1)["slack"]
    assert status == "failed" and "invalid_auth" in result


ALERTS_TOML = """
[alerts.slack]
enabled = true
channel = "#alerts"
token_env = "T_SLACK"

[alerts.webhook]
enabled = true
url = "https://hooks.okx.com/monitor"

[alerts.email]
enabled = true
host = "smtp.okx.com"
from = "monitor@okx.com"
to = ["desk@okx.com"]

[alerts.routes]
secret_leak = ["telegram", "slack", "webhook", "email"]
default = ["telegram"]

[alerts.digest]
enabled = true
at = "07:30"
channels = ["slack", "email"]
"""


BRAND = """
[brand]
name = "OKX"
domains = ["okx.com"]
live_chat_url = "https://www.okx.com/help"
ticket_url = "https://www.okx.com/support/submit-request"
"""


def _config(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(BRAND + extra, encoding="utf-8")
    return path


def test_the_alerts_config_builds_every_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("T_SLACK", "xoxb-from-env-123")
    monkeypatch.setenv("MONITOR_WEBHOOK_SECRET", "s3cret-for-hmac")
    alerting = build_alerting(config.load(_config(tmp_path, ALERTS_TOML)))
    assert set(alerting.channels) == {"slack", "webhook", "email"}
    assert alerting.route("secret_leak") == ("telegram", "slack", "webhook", "email")
    assert alerting.route("impersonation") == ("telegram",)
    assert (alerting.digest_at, alerting.digest_channels) == ("07:30", ("slack", "email"))
    monkeypatch.delenv("T_SLACK")
    with pytest.raises(AlertingError, match=r"\$T_SLACK \(alerts.slack.token_env\)"):
        build_alerting(config.load(_config(tmp_path, ALERTS_TOML)))


@pytest.mark.parametrize(("change", "error"), [
    (("at = \"07:30\"", "at = \"7h30\""), "'alerts.digest.at' must be a UTC time"),
    (("default = [\"telegram\"]", "default = [\"pager\"]"),
     "'alerts.routes.default' names 'pager'"),
    (("host = \"smtp.okx.com\"", "hots = \"x\""), "unknown key 'alerts.email.hots'"),
    (("url = \"https://hooks.okx.com/monitor\"", "url = \"hooks\""), "'alerts.webhook.url' must"),
    (("channel = \"#alerts\"", "channel = 5"), "'alerts.slack.channel' must be a string"),
    (("[alerts.email]\nenabled = true", "[alerts.email]\nenabled = false"),
     "'alerts.routes.secret_leak' names 'email'"),
])
def test_a_bad_alerts_table_is_named(tmp_path: Path, change: tuple[str, str], error: str) -> None:
    with pytest.raises(config.ConfigError, match=error.replace("(", r"\(")):
        config.load(_config(tmp_path, ALERTS_TOML.replace(*change)))


def test_the_example_config_shows_every_alerts_table_commented_and_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = config.DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert "\n[alerts" not in text  # off until uncommented
    uncommented = []
    for table, keys in config.SCHEMA["alerts"].items():
        block = text[text.index(f"# [alerts.{table}]\n"):].split("\n\n")[0]
        lines = [line.removeprefix("# ") for line in block.splitlines()
                 if re.match(r"# (\[[\w.]+\]|\w+ = )", line)]
        assert {line.split(" = ")[0] for line in lines[1:]} == set(keys), table
        uncommented.append("\n".join(lines))
    for name in ("SLACK_BOT_TOKEN", "MONITOR_WEBHOOK_SECRET"):
        monkeypatch.setenv(name, f"{name.lower()}-value")
    settings = config.load(_config(tmp_path, "\n" + "\n\n".join(uncommented) + "\n"))
    alerting = build_alerting(settings)
    assert set(alerting.channels) == {"slack", "webhook", "email"}
    assert alerting.digest_at == "08:00"


def test_an_alert_routed_away_from_telegram_is_sent_without_a_managers_chat(
    tmp_path: Path, settings: config.Settings
) -> None:
    store = Store(tmp_path / "m.db")
    outbound = Outbound.from_settings(settings)

    async def scenario() -> WebhookReceiver:
        async with WebhookReceiver(SECRET) as hook, WebhookReceiver(SECRET, 9, 500) as down:
            up = WebhookChannel(hook.url, SECRET, attempts=2, backoff=0.01)
            alerting = Alerting(Guard(settings.brand), {"webhook": up},
                                {"secret_leak": ("webhook",)})
            _stored(store, ALERT)
            assert await send_planned(store, [], outbound, alerting=alerting) == 1
            assert await send_planned(store, [], outbound, alerting=alerting) == 0  # once
            alerting.channels["webhook"] = WebhookChannel(down.url, SECRET, attempts=2,
                                                          backoff=0.01)
            post = Post("telegram", "8", Author("telegram", "id-eve", "eve"), "[x]", "group")
            store.plan_action(post, Action("alert", "telegram", "admin", ALERT, "secret_leak: x"))
            assert await send_planned(store, [], outbound, alerting=alerting) == 0
            return hook

    hook = asyncio.run(scenario())
    assert len(hook.received) == 1
    rows = {r["post_id"]: (r["status"], r["result"]) for r in store.db["actions"].rows}
    assert rows == {"7": ("sent", "sent to webhook"), "8": ("failed", "no channel took it")}


def test_doctor_names_a_missing_alert_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.cli.doctor import alert_checks

    monkeypatch.delenv("MONITOR_WEBHOOK_SECRET", raising=False)
    settings = config.load(_config(tmp_path, ALERTS_TOML))
    monkeypatch.setenv("T_SLACK", "xoxb-from-env-123")
    (check,) = alert_checks(settings)
    assert not check.ok and "$MONITOR_WEBHOOK_SECRET (alerts.webhook.secret_env)" in check.detail
    monkeypatch.setenv("MONITOR_WEBHOOK_SECRET", "s3cret-for-hmac")
    (check,) = alert_checks(settings)
    assert check.ok and check.detail == "channels slack, webhook, email; digest at 07:30 UTC"
    assert alert_checks(config.load(None)) == []  # no channel enabled: no line


def test_a_refused_removal_reaches_the_routed_channel_once_a_day(
    tmp_path: Path, settings: config.Settings
) -> None:
    from tests.test_daemon_send import NO_LIMITS, RecordingConnector

    store = Store(tmp_path / "m.db")
    (tmp_path / "s.jsonl").write_text("", encoding="utf-8")
    chat = RecordingConnector(tmp_path / "s.jsonl", store, fail_deletes=True)
    outbound = Outbound(Guard(settings.brand), NO_LIMITS)

    async def scenario() -> WebhookReceiver:
        async with WebhookReceiver(SECRET) as hook:
            alerting = Alerting(Guard(settings.brand), {"webhook": WebhookChannel(
                hook.url, SECRET, attempts=1)}, {"impersonation": ("webhook",)})
            for pid in ("9", "10"):  # the second refusal in that place the same day: not again
                post = Post("telegram", pid, Author("telegram", "i", "imp"), "[x]", "group")
                store.plan_action(post, Action("delete", "telegram", f"-100:{pid}", "",
                                               "impersonation: scam_lure", place="OKX Group"))
                await send_planned(store, [chat], outbound, alerting=alerting)
            return hook

    hook = asyncio.run(scenario())
    assert [b["text"] for b in hook.received] == [
        "cannot delete on telegram in OKX Group: PermissionError: bot is not an admin here"]
    assert chat.performed == []  # impersonation is not routed to the managers' chat
