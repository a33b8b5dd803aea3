"""The connectors `monitor run` watches: those enabled, Telegram's and Discord's with the desk's
command layers."""

from __future__ import annotations

from monitor.connectors.catalog import build_enabled
from monitor.connectors.protocol import Connector
from monitor.core.config import Settings
from monitor.store import Store


def build_connectors(settings: Settings, store: Store) -> list[Connector]:
    """Every enabled connector with its credentials; Telegram's carries the managers' commands
    (desk.telegram_commands), Discord's the slash commands (desk.discord_commands, unless
    [discord] commands = false), attached here so that connectors/ never imports the desk."""
    connectors = build_enabled(settings, store)
    for connector in connectors:
        # Each layer is imported only when its platform runs: it brings that platform's library.
        if connector.name == "telegram":
            from monitor.connectors.telegram import TelegramConnector
            from monitor.desk.telegram_commands import attach

            assert isinstance(connector, TelegramConnector)
            attach(connector, settings)
        elif connector.name == "discord" and settings.platforms["discord"].get("commands", True):
            from monitor.connectors.discord import DiscordConnector
            from monitor.desk.discord_commands import attach as attach_slash

            assert isinstance(connector, DiscordConnector)
            attach_slash(connector, settings)
    return connectors
