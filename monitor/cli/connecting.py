"""The connectors `monitor run` watches: those enabled, Telegram's with the command layer."""

from __future__ import annotations

from monitor.connectors.catalog import build_enabled
from monitor.connectors.protocol import Connector
from monitor.core.config import Settings
from monitor.store import Store


def build_connectors(settings: Settings, store: Store) -> list[Connector]:
    """Every enabled connector with its credentials; Telegram's carries the managers' commands
    (desk.telegram_commands), attached here so that connectors/ never imports the desk."""
    connectors = build_enabled(settings, store)
    for connector in connectors:
        if connector.name == "telegram":
            # Imported only now: it brings python-telegram-bot, which a run without Telegram skips.
            from monitor.connectors.telegram import TelegramConnector
            from monitor.desk.telegram_commands import attach

            assert isinstance(connector, TelegramConnector)
            attach(connector, settings)
    return connectors
