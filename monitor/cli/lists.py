"""`monitor lists update|allow|remove`: the operator's phishing list and allow list of hosts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitor.cli.shared import CliError
from monitor.core import config
from monitor.core.hostlists import ListError, NotADomain, remove_domains, update_list
from monitor.core.hostlists import load as load_list


def add_lists(p: argparse.ArgumentParser) -> None:
    """Its subcommands: update, allow and remove."""
    lsub = p.add_subparsers(dest="lists_command", required=True)
    for name, kind, what in (
        ("update", "phishing", "merge a file of domains into the configured phishing list"),
        (
            "allow",
            "allowed",
            "merge a file of look-alike hosts found legitimate into the allow list",
        ),
    ):
        cmd = lsub.add_parser(name, help=what)
        cmd.add_argument(
            "file", type=Path, help="plain text, one domain (or URL, or hosts-file line) a line"
        )
        cmd.add_argument(
            "--config", help="your monitor.toml (the bundled example's lists cannot be changed)"
        )
        cmd.add_argument(
            "--skip-bad",
            action="store_true",
            help="skip entries that are neither a domain nor an IPv4 address instead of refusing "
            "the file",
        )
        cmd.set_defaults(func=cmd_lists_update, list_kind=kind)
    rm = lsub.add_parser("remove", help="take hosts off the phishing list or the allow list")
    rm.add_argument(
        "hosts", nargs="+", metavar="HOST", help="a domain, URL or IPv4 address as it was listed"
    )
    rm.add_argument("--from", dest="list_kind", choices=("phishing", "allowed"), required=True,
                    help="which list")
    rm.add_argument(
        "--config", help="your monitor.toml (the bundled example's lists cannot be changed)"
    )
    rm.set_defaults(func=cmd_lists_remove)


def cmd_lists_update(args: argparse.Namespace) -> int:
    """Merge domains into the phishing list or the allow list; a bad line leaves the list
    untouched."""
    settings = config.load(args.config)
    dest = config.own_list(
        settings, "phishing_list" if args.list_kind == "phishing" else "allow_list"
    )
    if not args.file.is_file():
        raise CliError(f"{args.file}: file not found")
    skipped: list[str] | None = [] if args.skip_bad else None
    try:
        count = update_list(args.file, dest, args.list_kind, skipped)
    except NotADomain as exc:
        raise CliError(f"{exc} (--skip-bad skips such entries)") from None
    except ListError as exc:
        raise CliError(str(exc)) from None
    except (
        OSError
    ) as exc:  # a missing folder or no write permission: name the list, not a traceback
        raise CliError(f"{dest}: cannot write the list ({exc.strerror})") from None
    print(f"{count} domains in {dest}")
    if skipped:
        print(
            f"skipped {len(skipped)} entries that are not domains, e.g. {'; '.join(skipped[:3])}",
            file=sys.stderr,
        )
    # A host on both lists stays flagged; say so rather than let the operator think it is silenced.
    if both := sorted(load_list(settings.phishing_list) & load_list(settings.allow_list)):
        print(f"on both lists, so still flagged: {', '.join(both[:10])}", file=sys.stderr)
    return 0


def cmd_lists_remove(args: argparse.Namespace) -> int:
    """Take hosts off a list; one that is not on it is named, and the rest still go."""
    settings = config.load(args.config)
    dest = config.own_list(
        settings, "phishing_list" if args.list_kind == "phishing" else "allow_list"
    )
    try:
        removed, absent = remove_domains(args.hosts, dest, args.list_kind)
    except OSError as exc:
        raise CliError(f"{dest}: cannot write the list ({exc.strerror})") from None
    print(f"removed {len(removed)} from {dest}" + (f": {', '.join(removed)}" if removed else ""))
    if absent:
        print(f"not on the list: {', '.join(absent)}", file=sys.stderr)
    return 0
