"""`monitor digest`: the daily digest printed, or sent to the [alerts.digest] channels."""

from __future__ import annotations

import argparse
import asyncio

from monitor.cli.dbargs import db_missing
from monitor.cli.shared import CliError
from monitor.connectors.protocol import Connector
from monitor.core import config
from monitor.desk import digest
from monitor.runtime.alerting.routing import TELEGRAM, Alerting, AlertingError, build_alerting
from monitor.runtime.sender import ALERT_CONNECTORS
from monitor.store import Store


def add_digest(p: argparse.ArgumentParser) -> None:
    """The `digest` subcommand."""
    p.add_argument("--send", action="store_true",
                   help="also send it to the [alerts.digest] channels (not the Telegram chat, "
                   "which only `monitor run` reaches)")
    p.add_argument("--config", help="monitor.toml (default: the bundled example)")
    p.add_argument("--db", help="SQLite database path (default: the config's [monitor] db)")
    p.set_defaults(func=cmd_digest)


def cmd_digest(args: argparse.Namespace) -> int:
    """Print the digest; with --send, deliver it and say how each channel answered."""
    settings = config.load(args.config)
    db = str(args.db or settings.db)
    if db_missing(db):
        raise CliError(f"{db}: database not found")
    store = Store(db)
    try:
        text = digest.build(store)
        alerting = alerting_for(settings) if args.send else None
        print(text)
        if alerting is None:
            return 0
        outcome = asyncio.run(alerting.broadcast(alerting.digest_channels, text))
    finally:
        store.close()
    return _said(alerting, outcome)


def alerting_for(settings: config.Settings, chat: Connector | None = None) -> Alerting:
    """The configured channels, a missing credential worded as a command-line error."""
    try:
        return build_alerting(settings, chat)
    except AlertingError as exc:
        raise CliError(str(exc)) from None


def managers_chat(connectors: list[Connector]) -> Connector | None:
    """The connector that reaches the managers' chat, as the sender picks it."""
    return next((c for c in connectors if c.name in ALERT_CONNECTORS), None)


def _said(alerting: Alerting, outcome: dict[str, str | None]) -> int:
    """One line per digest channel; 1 when any failed."""
    if not alerting.digest_channels:
        raise CliError("no channel to send to: set [alerts.digest] channels")
    for name in alerting.digest_channels:
        if name == TELEGRAM and name not in outcome:
            print(f"{name}: skipped (only `monitor run` sends to the managers' chat)")
        else:
            print(f"{name}: {outcome.get(name) or 'sent'}")
    return 1 if any(outcome.values()) else 0
