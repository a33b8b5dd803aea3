"""`monitor doctor`: is this install ready to run? One line per check, OK or FAIL with the fix."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from monitor.classify import DEFAULT_MODEL_DIR, model_problems
from monitor.cli.shared import missing_lists
from monitor.core import config
from monitor.core.hostlists import ListError
from monitor.core.hostlists import load as load_list
from monitor.core.models import PLATFORMS
from monitor.runtime.logs import scrub
from monitor.store.postgres import is_url

DB_TIMEOUT = 5.0  # seconds to wait for another process's write lock on the database
ENV_FIX = "set it in .env (see .env.example) and load it: set -a; . ./.env; set +a"


@dataclass(frozen=True, slots=True)
class Check:
    """One check's outcome: what was checked, what was found, and the fix when it failed."""

    name: str
    detail: str
    fix: str = ""  # empty: the check passed

    @property
    def ok(self) -> bool:
        """True when nothing needs fixing."""
        return not self.fix

    def line(self) -> str:
        """The printed line, scrubbed of every credential read (an answer could echo one)."""
        text = f"OK    {self.name}: {self.detail}" if self.ok else \
            f"FAIL  {self.name}: {self.detail} — fix: {self.fix}"
        return scrub(text)


def add_doctor(p: argparse.ArgumentParser) -> None:
    """The `doctor` subcommand."""
    p.add_argument("--config", help="monitor.toml (default: the bundled example)")
    p.add_argument("--db", help="SQLite database path (default: [monitor] db from the config)")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    """Print each check as it is known; exit 0 when all pass, 1 when any failed."""
    first, settings = _config(args.config)
    print(first.line(), flush=True)
    checks = [first]
    if settings is not None:
        found = _files(settings, args.db or settings.db) + _platforms(settings)
        for check in found + alert_checks(settings):
            print(check.line(), flush=True)
            checks.append(check)
    return 0 if all(c.ok for c in checks) else 1


def alert_checks(settings: config.Settings) -> list[Check]:
    """The [alerts] channels enabled, with their credentials set (nothing is sent: a message
    would reach real people)."""
    from monitor.runtime.alerting.routing import TELEGRAM, AlertingError, build_alerting

    names = [n for n in config.ALERT_CHANNELS if settings.alerts.get(n, {}).get("enabled")]
    if not names:
        return []
    try:
        alerting = build_alerting(settings)
    except AlertingError as exc:
        return [Check("alerts", str(exc), ENV_FIX)]
    digest = f"; digest at {alerting.digest_at} UTC" if alerting.digest_at else ""
    shown = ", ".join(n for n in alerting.channels if n != TELEGRAM)
    return [Check("alerts", f"channels {shown}{digest}")]


def _config(path: str | None) -> tuple[Check, config.Settings | None]:
    """The config parses and passes its schema (without it, nothing else can be checked)."""
    try:
        settings = config.load(path)
    except config.ConfigError as exc:
        return Check("config", str(exc), "correct the file or key named; then "
                     "`monitor config check FILE`"), None
    note = ""
    if path is None:
        note = " (the bundled example" + (
            "; yours is read with --config monitor.toml)" if Path("monitor.toml").exists() else ")")
    return Check("config", f"{settings.path}{note}: brand {settings.brand.name}"), settings


def _files(settings: config.Settings, db: str) -> list[Check]:
    """The list files, the support model and the database."""
    return [*_lists(settings), _model(settings), _database(db)]


def _lists(settings: config.Settings) -> list[Check]:
    """Each configured list exists and parses."""
    missing = {line.split(": ", 1)[0]: line for line in missing_lists(settings)}
    checks = []
    for key in ("phishing_list", "allow_list"):
        path: Path | None = getattr(settings, key)
        if path is None:
            checks.append(Check(key, "not set (no host is flagged or spared by a list of yours)"))
        elif str(path) in missing:
            line = missing[str(path)]
            checks.append(Check(key, f"{path} not found", line.split("; ", 1)[1]))
        else:
            try:
                checks.append(Check(key, f"{_shown(path)} ({len(load_list(path))} hosts)"))
            except ListError as exc:
                checks.append(Check(key, str(exc), "correct or remove the line named"))
    return checks


def _model(settings: config.Settings) -> Check:
    """The support model's files are there and its runtime imports (MiniLM itself is not loaded)."""
    support = settings.support
    model_dir = support.get("model_dir") or DEFAULT_MODEL_DIR
    use_encoder = support.get("use_encoder", True)
    problems = model_problems(model_dir, support.get("encoder_path"), use_encoder)
    if problems:
        return Check("support model", "; ".join(problems),
                     "reinstall the package, rebuild the model with `monitor train`, or fix "
                     "[support] model_dir / encoder_path")
    stages = "n-gram stage + MiniLM" if use_encoder else "n-gram stage only: use_encoder = false"
    where = "the bundled model" if model_dir == DEFAULT_MODEL_DIR else _shown(model_dir)
    return Check("support model", f"{where} ({stages})")


def _database(db: str) -> Check:
    """The database can be written: an existing one takes a write lock, a new one's folder is
    writable (nothing is created here)."""
    if is_url(db):
        return _postgres(db)
    path = Path(db)
    if not path.exists():
        folder = path.parent if str(path.parent) else Path(".")
        if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
            return Check("database", f"{db} (created on first run)")
        return Check("database", f"cannot create {db}: folder {folder} missing or not writable",
                     "create the folder or set [monitor] db (or --db) to a writable path")
    try:
        conn = sqlite3.connect(path, timeout=DB_TIMEOUT, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")  # the write lock a batch takes; rolled back at once
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Check("database", f"{db} cannot be written ({exc})",
                     "check the file's and folder's permissions, and that no other process "
                     "holds it locked")
    return Check("database", f"{db} writable")


def _postgres(url: str) -> Check:
    """A Postgres database answers and takes writes (a transaction rolled back at once)."""
    from monitor.store.postgres import PgDatabase, StoreUnreachable, safe_url

    try:
        db = PgDatabase(url)
    except StoreUnreachable as exc:
        return Check("database", str(exc), "check the URL, the server and the credentials")
    try:
        with db.conn.transaction(force_rollback=True):
            db.conn.execute("CREATE TEMP TABLE monitor_doctor (x int)")
    except Exception as exc:  # noqa: BLE001 - reported as the check's answer
        return Check("database", f"{safe_url(url)} cannot be written ({str(exc)[:200]})",
                     "grant the role CREATE and write rights on the database")
    finally:
        db.close()
    return Check("database", f"{safe_url(url)} writable")


def _platforms(settings: config.Settings) -> list[Check]:
    """Each enabled platform's credentials, put to its who-am-I endpoint, all at once."""
    enabled = [p for p in PLATFORMS if settings.platforms.get(p, {}).get("enabled", False)]
    if not enabled:
        return [Check("platforms", "none enabled, so `monitor run` has nothing to watch",
                      "uncomment a platform's table in the config and set enabled = true")]

    async def all_of() -> list[Check]:
        return list(await asyncio.gather(*(_platform(p, settings) for p in enabled)))

    return asyncio.run(all_of())


async def _platform(platform: str, settings: config.Settings) -> Check:
    """One platform's who-am-I call, its failure worded without the library's text."""
    from monitor.connectors.catalog import MissingCredential
    from monitor.connectors.whoami import TIMEOUT, Refused, endpoint, whoami

    try:
        return Check(platform, f"signed in as {await whoami(platform, settings, TIMEOUT)}")
    except MissingCredential as exc:
        return Check(platform, str(exc), ENV_FIX)
    except Refused as exc:
        return Check(platform, str(exc), exc.fix)
    except TimeoutError:
        where = endpoint(platform, settings)
        return Check(platform, f"no answer from {where} within {TIMEOUT:.0f} s",
                     "check the network (a proxy?) and the table's API address")
    except Exception as exc:  # noqa: BLE001 - any other failure is one FAIL line, not a traceback
        where = endpoint(platform, settings)
        return Check(platform, f"the call to {where} failed ({type(exc).__name__})",
                     "check the network and the table's API address, then run doctor again")


def _shown(path: Path) -> str:
    """A path as the operator would type it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
