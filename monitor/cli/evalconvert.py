"""`monitor eval-convert`: a third-party eval set converted to labelled Post JSON lines, or the
list of the sets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitor import evalsets
from monitor.cli.shared import CliError


def add_eval_convert(p: argparse.ArgumentParser) -> None:
    """The set, --eval-dir, --output and --list."""
    p.add_argument(
        "set", nargs="?", choices=list(evalsets.SETS), metavar="SET", help="set name (see --list)"
    )
    p.add_argument(
        "--eval-dir",
        type=Path,
        default=evalsets.DEFAULT_EVAL_DIR,
        help="folder of the eval sets (default: ../shared/eval)",
    )
    p.add_argument("--output", type=Path, help="output file (default: standard output)")
    p.add_argument("--list", action="store_true", help="list the sets, one line each")
    p.set_defaults(func=cmd_eval_convert)


def cmd_eval_convert(args: argparse.Namespace) -> int:
    """Convert one eval set, or list them."""
    if args.list:
        return evalsets.list_sets(sys.stdout)
    if args.set is None:
        raise CliError("eval-convert: name a set (see --list)")
    if args.output is None:
        return evalsets.run_convert(args.set, args.eval_dir, sys.stdout)
    with args.output.open("w", encoding="utf-8") as out:
        return evalsets.run_convert(args.set, args.eval_dir, out)
