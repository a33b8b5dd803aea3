"""`monitor config check`: is a config file valid, and are the list files it names there?"""

from __future__ import annotations

import argparse

from monitor.cli.shared import CliError, missing_lists
from monitor.core import config


def add_config(p: argparse.ArgumentParser) -> None:
    """Its one subcommand, check."""
    csub = p.add_subparsers(dest="config_command", required=True)
    check = csub.add_parser("check", help="validate a config file")
    check.add_argument("file", nargs="?", help="monitor.toml (default: the bundled example)")
    check.set_defaults(func=cmd_config_check)


def cmd_config_check(args: argparse.Namespace) -> int:
    """Validate a config and say what it holds; a configured list file that does not exist fails it
    (`run` and `scan` only warn: the daemon reads the list once `monitor lists update` writes
    it)."""
    settings = config.load(args.file)
    if missing := missing_lists(settings):
        raise CliError("\nmonitor: error: ".join(missing))  # one prefixed line each
    accounts = sum(len(h) for h in settings.brand.accounts.values())
    print(
        f"{settings.path}: ok (brand {settings.brand.name}, {len(settings.brand.domains)} domains, "
        f"{accounts} official accounts)"
    )
    return 0
