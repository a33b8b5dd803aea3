"""Which channels an alert goes to (per finding kind), each text guarded, each delivery once."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from monitor.connectors.protocol import Connector
from monitor.core.config import Settings, env_secret
from monitor.core.models import Action, StoredAction, reason_kind
from monitor.replies.guard import Guard
from monitor.store import Store
from monitor.store.alert_rows import claim_delivery, settle_delivery

log = logging.getLogger("monitor.alerts")
TELEGRAM = "telegram"
DEFAULT_ROUTE = (TELEGRAM,)  # without [alerts.routes], alerts go where they always went
# (table, *_env key) -> the env var's default name
ENV_DEFAULTS = {
    ("alerts.slack", "token_env"): "SLACK_BOT_TOKEN",
    ("alerts.webhook", "secret_env"): "MONITOR_WEBHOOK_SECRET",
    ("alerts.email", "username_env"): "MONITOR_SMTP_USERNAME",
    ("alerts.email", "password_env"): "MONITOR_SMTP_PASSWORD",
}


class Channel(Protocol):
    """Somewhere a text for the managers can be sent."""

    @property
    def name(self) -> str: ...

    async def send(self, text: str) -> None: ...


class AlertingError(ValueError):
    """A channel cannot be built: a credential its *_env key names is not set."""


@dataclass(frozen=True, slots=True)
class TelegramChannel:
    """The managers' chat as a channel, for the digest: an alert action naming no post."""

    chat: Connector
    name: str = TELEGRAM

    async def send(self, text: str) -> None:
        """Send through the connector, as the sender sends alerts."""
        await self.chat.perform(Action("alert", self.chat.name, "admin", text, "digest"))


@dataclass
class Alerting:
    """The enabled channels, the routes per finding kind and the digest's channels."""

    guard: Guard
    channels: dict[str, Channel] = field(default_factory=dict)  # telegram's only for the digest
    routes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    digest_channels: tuple[str, ...] = ()
    digest_at: str | None = None  # "HH:MM" UTC, or None: no daily digest

    def route(self, kind: str) -> tuple[str, ...]:
        """The channel names an alert of this finding kind goes to."""
        return tuple(self.routes.get(kind, self.routes.get("default", DEFAULT_ROUTE)))

    def to_telegram(self, stored: StoredAction) -> bool:
        """Whether this alert goes to the managers' chat (the sender's own path)."""
        return TELEGRAM in self.route(reason_kind(stored.action.reason))

    def elsewhere(self, stored: StoredAction) -> tuple[str, ...]:
        """The other channels this alert goes to."""
        return tuple(n for n in self.route(reason_kind(stored.action.reason)) if n != TELEGRAM)

    async def deliver_alert(self, store: Store, stored: StoredAction, text: str) -> list[str]:
        """Send one alert action to its routed channels, each at most once (recorded before the
        call); one channel's failure is logged and never stops the others. The channels sent to."""
        sent = []
        for name in self.elsewhere(stored):
            if name not in self.channels or not claim_delivery(store, stored.id, name):
                continue
            error = await self.send(name, text)
            settle_delivery(store, stored.id, name, "failed" if error else "sent", error or "")
            if not error:
                sent.append(name)
        return sent

    async def send(self, name: str, text: str) -> str | None:
        """Guard the text and send it on one channel: None when sent, else why not (no text)."""
        if reason := self.guard.check(text, name, "alert"):
            log.error("alert to %s refused by the guard: %s", name, reason)
            return f"guard: {reason}"
        try:
            await self.channels[name].send(text)
        except Exception as exc:  # noqa: BLE001 - one channel's error never stops the others
            # the log formatter scrubs secrets; str(exc) of these channels names no credential
            log.warning("alert to %s failed (%s: %s)", name, type(exc).__name__, str(exc)[:200])
            return f"{type(exc).__name__}: {exc}"[:300]
        return None

    async def broadcast(self, names: Sequence[str], text: str) -> dict[str, str | None]:
        """Send one text (the digest) to each named channel: name -> None or why not."""
        return {name: await self.send(name, text) for name in names if name in self.channels}


def build_alerting(settings: Settings, chat: Connector | None = None) -> Alerting:
    """The channels the [alerts] table enables, with their credentials from env; `chat` is the
    managers' Telegram connector, for the digest."""
    table = settings.alerts
    channels: dict[str, Channel] = {TELEGRAM: TelegramChannel(chat)} if chat else {}
    for name, make in (("slack", _slack), ("webhook", _webhook), ("email", _mail)):
        if table.get(name, {}).get("enabled"):
            channels[name] = make(table[name])
    digest = table.get("digest", {})
    return Alerting(
        guard=Guard(settings.brand), channels=channels,
        routes={k: tuple(v) for k, v in table.get("routes", {}).items()},
        digest_channels=tuple(digest.get("channels", ())),
        digest_at=digest.get("at", "08:00") if digest.get("enabled") else None,
    )


# The channel modules are imported when enabled: slack_sdk and aiosmtplib cost every command's
# start-up otherwise.
def _slack(table: dict[str, Any]) -> Channel:
    """[alerts.slack]: the bot token from env."""
    from monitor.runtime.alerting.slack import SLACK_API, SlackChannel

    token = _credential(table, "alerts.slack", "token_env")
    return SlackChannel(token, table["channel"], table.get("base_url", SLACK_API))


def _webhook(table: dict[str, Any]) -> Channel:
    """[alerts.webhook]: the signing secret from env."""
    from monitor.runtime.alerting.webhook import WebhookChannel

    secret = _credential(table, "alerts.webhook", "secret_env")
    return WebhookChannel(table["url"], secret.encode(), table.get("attempts", 4),
                          table.get("backoff", 1.0), table.get("timeout", 10.0))


def _mail(table: dict[str, Any]) -> Channel:
    """[alerts.email]: the account from env, when the server asks for one."""
    from monitor.runtime.alerting.mail import MailChannel

    user, password = (env_secret(table.get(key, ENV_DEFAULTS["alerts.email", key]))
                      for key in ("username_env", "password_env"))
    return MailChannel(table["host"], table.get("port", 587), table["from"], tuple(table["to"]),
                       user, password, table.get("starttls", True), table.get("tls", False),
                       table.get("timeout", 30.0))


def _credential(table: dict[str, Any], where: str, key: str) -> str:
    """A credential from the env var the table names; its absence is an error naming both."""
    name = table.get(key, ENV_DEFAULTS[where, key])
    value = env_secret(name)
    if value is None:
        raise AlertingError(f"[{where}] is enabled but ${name} ({where}.{key}) is not set")
    return value
