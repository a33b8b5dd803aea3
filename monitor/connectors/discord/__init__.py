"""Discord connector on discord.py (gateway in, history back-fill per channel cursor)."""

from monitor.connectors.discord.gateway import DiscordConnector, NotSupported, build

__all__ = ["DiscordConnector", "NotSupported", "build"]
