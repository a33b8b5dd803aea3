"""Telegram connector on python-telegram-bot (long-polled getUpdates, own offset cursor)."""

from monitor.connectors.telegram.updates import ActionFailed, TelegramConnector, build

__all__ = ["ActionFailed", "TelegramConnector", "build"]
