"""`monitor run` and `monitor demo`: the daemon over the enabled connectors or a replayed file,
and the bundled demo stream replayed into a fresh database and written as the HTML report."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from monitor.cli import alerts as cli_alerts
from monitor.cli import progress
from monitor.cli.connecting import build_connectors
from monitor.cli.shared import CliError, missing_lists, salt
from monitor.connectors.protocol import Connector
from monitor.connectors.replay import ReplayConnector
from monitor.core import config
from monitor.core.pipeline import Pipeline
from monitor.desk import digest, report
from monitor.resources import data_path
from monitor.runtime import daemon, logs, ops_server, reload
from monitor.runtime.health import Health
from monitor.runtime.outbound import Outbound
from monitor.runtime.replicas import Replica
from monitor.store import Store
from monitor.store.postgres import is_url

DEMO_STREAM = data_path("demo", "stream.jsonl")
log = logging.getLogger("monitor")


def add_run(p: argparse.ArgumentParser) -> None:
    """--config, --replay, --db, --dry-run, --outbox and --log-format."""
    p.add_argument("--config", help="monitor.toml (default: the bundled example)")
    p.add_argument(
        "--replay", type=Path, help="read posts from this JSON lines file and exit at its end"
    )
    p.add_argument("--db", help="SQLite database path or postgresql:// URL "
                   "(default: [monitor] db from the config)")
    p.add_argument("--dry-run", action="store_true", help="plan actions but send nothing")
    p.add_argument("--outbox", type=Path, help="with --replay: write sent actions to this file")
    p.add_argument(
        "--log-format",
        choices=logs.FORMATS,
        help="log lines as JSON objects or plain text (default: [monitor] log_format, json)",
    )
    p.set_defaults(func=cmd_run)


def add_demo(p: argparse.ArgumentParser) -> None:
    """The output folder."""
    p.add_argument(
        "--out", type=Path, default=Path("out/demo"), help="output folder (default out/demo)"
    )
    p.set_defaults(func=cmd_demo)


def cmd_run(args: argparse.Namespace) -> int:
    """The daemon; with --replay it reads the file through the whole pipeline and exits."""
    settings = config.load(args.config)
    logs.setup(settings.log_level, args.log_format or settings.log_format)
    for line in missing_lists(settings):  # the daemon reads a list once it is written
        log.warning("%s", line)
    if args.replay is not None and not args.replay.is_file():
        raise CliError(f"{args.replay}: replay file not found")
    store = Store(args.db or settings.db)
    shown = args.replay is not None and progress.on_terminal()
    bar = progress.bar("replay", progress.line_count(args.replay) if shown else None, shown)
    try:
        if args.replay is not None:
            connectors: list[Connector] = [
                ReplayConnector(args.replay, store, args.outbox, on_lines=bar.update)
            ]
        else:
            connectors = build_connectors(settings, store)
        if not connectors:
            raise CliError(
                "nothing to run: no --replay file and no platform connector enabled "
                "with its credentials (see [telegram], [discord], [twitter], [reddit])"
            )
        with progress.logs_above(shown):
            counters = _run(settings, store, connectors, args.dry_run)
    finally:
        bar.close()
        store.close()
    _print_counters(counters)
    return 0


def _run(
    settings: config.Settings, store: Store, connectors: list[Connector], dry_run: bool
) -> daemon.Counters:
    """Run connectors through the daemon until they end or SIGTERM/SIGINT arrives; SIGHUP reloads
    the config."""
    replica = None
    if is_url(store.path):  # one of any number of replicas sharing this Postgres, seen at once
        replica = Replica(store)
    key = salt(settings, store)
    pipeline = Pipeline.from_settings(settings, key)
    ingest = daemon.Ingest(pipeline, store, settings.modes, dry_run, settings.policy)
    ingest.health = health = Health(store)
    if replica is not None:
        replica.metrics = ingest.metrics
        ingest.replica = replica
    # channels beyond the managers' chat; [alerts] is read at start (a SIGHUP does not swap it)
    ingest.alerting = cli_alerts.alerting_for(settings, cli_alerts.managers_chat(connectors))

    async def main() -> daemon.Counters:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        reload.install(ingest, settings.path, key)
        try:
            ops = await ops_server.start_for(settings, ingest.metrics, health)
        except OSError as exc:
            raise CliError(
                f"cannot listen on {settings.metrics_host}:{settings.metrics_port} "
                f"([monitor] metrics_port): {exc.strerror}"
            ) from None
        try:
            return await daemon.run(
                connectors, ingest, stop, outbound=Outbound.from_settings(settings),
                digest=digest.build,
            )
        finally:
            if ops is not None:
                await ops.cleanup()

    counters = asyncio.run(main())
    states = set(health.connectors.values())
    if states == {"stopped"}:  # every connector hit a fatal error: exiting 0 would hide it
        raise CliError("nothing left to run: every connector stopped (the reason is logged above)")
    for c in connectors:
        if isinstance(c, ReplayConnector) and c.errors:
            log.warning("%d malformed line(s) skipped in %s", c.errors, c.path.name)
    return counters


def cmd_demo(args: argparse.Namespace) -> int:
    """Replay the bundled demo stream into a fresh database and write the HTML report."""
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    db = out / "monitor.db"
    for old in (db, out / "monitor.db-wal", out / "monitor.db-shm"):
        old.unlink(missing_ok=True)
    settings = config.load(None)
    _setup_logging(settings.log_level, out / "monitor.log")
    store = Store(db)
    try:
        counters = _run(settings, store, [ReplayConnector(DEMO_STREAM, store)], dry_run=True)
        html_path = out / "report.html"
        html_path.write_text(report.render(store, "html"), encoding="utf-8")
    finally:
        store.close()
    _print_counters(counters)
    print(f"database: {db}\nreport:   {html_path.resolve()}")
    return 0


def _setup_logging(level: str, logfile: Path | None = None) -> None:
    """Log plain text to stderr (and a file), through the secret filter; log lines never carry post
    text."""
    logs.setup(level, "text", logfile)


def _print_counters(c: daemon.Counters) -> None:
    """The one-line summary of a run."""
    findings = ", ".join(f"{k} {v}" for k, v in sorted(c.findings.items())) or "none"
    actions = ", ".join(f"{k} {v}" for k, v in sorted(c.actions.items())) or "none"
    print(f"posts {c.posts} (duplicates {c.duplicates}); findings: {findings}; actions: {actions}")
