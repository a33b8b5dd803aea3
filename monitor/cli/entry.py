"""Command line: the entry point, and the table of subcommands, each parsed and run by its own
module, imported only when that subcommand is named."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

from monitor.cli.shared import CliError
from monitor.core.config import ConfigError
from monitor.core.hostlists import ListError


class Command(NamedTuple):
    """Where a subcommand lives, and its line in `monitor --help`."""

    module: str  # defines add_<name>(parser) (a "-" in the name as "_") and the command it runs
    help: str


# The subcommands, in `monitor --help`'s order. Their modules are imported only when named: every
# one's at once would load the store, the report, the daemon's runtime, asyncio and tqdm, ~0.1 s
# and ~150 modules of each `monitor scan`'s start-up; a one-post scan should start at once.
COMMANDS = {
    "run": Command("monitor.cli.running", "run the daemon (or replay a Post JSON lines file)"),
    "demo": Command(
        "monitor.cli.running", "replay the bundled demo stream (dry run) and write the report"
    ),
    "scan": Command(
        "monitor.cli.scan", "classify Post JSON lines; one JSON result line per input line"
    ),
    "report": Command("monitor.cli.reporting", "write the flagged-items report"),
    "config": Command("monitor.cli.configcheck", "configuration tools"),
    "verify": Command(
        "monitor.cli.verifying",
        "is this account or link official? if not, why does it look like it?",
    ),
    "lists": Command("monitor.cli.lists", "the operator's phishing list and allow list of hosts"),
    "eval": Command("monitor.cli.evaluate", "score the detectors on labelled Post JSON lines"),
    "eval-convert": Command(
        "monitor.cli.evalconvert", "convert a third-party eval set to labelled Post JSON lines"
    ),
    "train": Command(
        "monitor.cli.training",
        "build the support classifier from the project's own training data",
    ),
    "review": Command(
        "monitor.cli.review_serve", "the review queue: list, show, decide, approve, stats, export"
    ),
    "serve": Command(
        "monitor.cli.review_serve",
        "a local web page over the review queue (people sign in, or a shared token)",
    ),
    "users": Command(
        "monitor.cli.users",
        "people who sign in to `monitor serve`: add, list, disable, enable, reset",
    ),
    "cases": Command(
        "monitor.cli.takedown", "takedown cases for phishing hosts and impostor accounts"
    ),
    "init": Command(
        "monitor.cli.firstrun",
        "write a commented monitor.toml, its list files and a .env.example into a folder",
    ),
    "doctor": Command(
        "monitor.cli.doctor",
        "check the config, list and model files, the database and each enabled platform's "
        "credentials; one line each, OK or FAIL with the fix",
    ),
    "digest": Command(
        "monitor.cli.alerts",
        "print the daily digest (findings, precision, open cases, the oldest unreviewed item); "
        "--send delivers it",
    ),
    "db": Command("monitor.cli.dbcopy", "database chores (copy a store to Postgres)"),
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `monitor` console script."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models load from disk only, never downloaded
    args = build_parser(_named(argv)).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:  # Ctrl-C: said in one line, with the shell's code for it
        print("monitor: interrupted", file=sys.stderr)
        return 130
    except _user_errors() as exc:  # ListError names the list file and line
        print(f"monitor: error: {exc}", file=sys.stderr)
        return 2


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand's name and help line, and of `command`'s options: its module
    is imported to add them. The others have none, not even -h."""
    parser = argparse.ArgumentParser(prog="monitor", description=(
        "support-monitor: watch X, Telegram, Discord and Reddit for support requests,"
        " impersonators and leaked secrets."
    ))
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module, help_text) in COMMANDS.items():
        if name != command:
            sub.add_parser(name, help=help_text, add_help=False)
            continue
        add = getattr(importlib.import_module(module), "add_" + name.replace("-", "_"))
        add(sub.add_parser(name, help=help_text))
    return parser


def _named(argv: list[str] | None) -> str | None:
    """The subcommand argv names, read by the parser with no subcommand's options, so each one's
    options pass unread; a missing or unknown subcommand, -h or --version ends the program here,
    as the whole parser would (only names and help lines are in those messages)."""
    return build_parser().parse_known_args(argv)[0].command


def _user_errors() -> tuple[type[Exception], ...]:
    """The errors a user can fix, said in one line. StoreUnreachable is imported only once an
    error is raised: a command that never opened a store (`monitor scan`) never loads it."""
    from monitor.store.postgres import StoreUnreachable

    return CliError, ConfigError, ListError, StoreUnreachable


class _Version(argparse._VersionAction):
    """--version, the installed package's version looked up only when asked for: importlib.metadata
    would cost every command ~10 ms of start-up."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        """Print `monitor VERSION` and exit."""
        self.version = f"%(prog)s {_version()}"
        super().__call__(parser, namespace, values, option_string)


def _version() -> str:
    """The installed package's version (a source tree that was never installed says so)."""
    from importlib import metadata

    try:
        return metadata.version("support-monitor")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


if __name__ == "__main__":
    sys.exit(main())
