"""Telegram connector on python-telegram-bot (long-polled getUpdates, own offset cursor)."""

from monitor.connectors.telegram.connector import ActionFailed, TelegramConnector, build

__all__ = ["ActionFailed", "TelegramConnector", "build"]
