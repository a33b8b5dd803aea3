"""The platform connectors, listed explicitly; each is built only when
its config table enables it."""

from __future__ import annotations

import importlib
import logging

from monitor.connectors.protocol import Connector
from monitor.core.config import Settings, env_secret
from monitor.store import Store

log = logging.getLogger(__name__)

# platform -> module with `build(settings, store) -> Connector`. Imported only when enabled,
# because each platform library is heavy to import.
CONNECTORS: dict[str, str] = {
    "twitter": "monitor.connectors.twitter",
    "reddit": "monitor.connectors.reddit",
    "discord": "monitor.connectors.discord",
    "telegram": "monitor.connectors.telegram",
}


class MissingCredential(RuntimeError):
    """A connector's credential env var is unset; the message names the variable, never a value."""


def credentials(names: dict[str, str]) -> dict[str, str]:
    """The values of the env vars named per key; MissingCredential names every unset one."""
    values = {key: env_secret(name) for key, name in names.items()}
    missing = [names[k] for k, v in values.items() if v is None]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise MissingCredential(f"environment variable{plural} {', '.join(missing)} not set")
    return {k: v for k, v in values.items() if v is not None}


def build_enabled(settings: Settings, store: Store) -> list[Connector]:
    """Every enabled connector that has its credentials; a missing one is skipped with one log line.

    Bare connectors: what needs other rooms (Telegram's command layer) is attached by
    monitor.cli.connecting.
    """
    built: list[Connector] = []
    for platform, module_name in CONNECTORS.items():
        if not settings.platforms.get(platform, {}).get("enabled", False):
            continue
        module = importlib.import_module(module_name)
        try:
            built.append(module.build(settings, store))
        except MissingCredential as exc:
            log.error("%s connector disabled: %s", platform, exc)
    return built
