"""`monitor verify`: is this account or link official? If not, why does it look like it, and does
the campaign memory know it for a scammer's?"""

from __future__ import annotations

import argparse

from monitor.classify import format_verdict, verify_text, worst
from monitor.cli.known import known_scammer
from monitor.cli.shared import CliError
from monitor.core import config
from monitor.core.hostlists import load as load_list
from monitor.core.models import PLATFORMS


def add_verify(p: argparse.ArgumentParser) -> None:
    """The target, --platform, --config and --db."""
    p.add_argument("target", help="a handle (@name, u/name), a profile link or any link or domain")
    p.add_argument("--platform", choices=PLATFORMS, help="the platform of a bare handle")
    p.add_argument("--config", help="monitor.toml (default: the bundled example)")
    p.add_argument(
        "--db",
        help="the database whose campaign memory to ask (default: [monitor] db, if it exists)",
    )
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 official, 3 suspicious look-alike, 1 not official with no look-alike signs (for
    several items named in one question, the worst)."""
    if not args.target.strip():
        raise CliError(
            "nothing to verify: give a handle, a display name, an e-mail address or a link"
        )
    settings = config.load(args.config)
    lists = load_list(settings.phishing_list), load_list(settings.allow_list)
    verdicts = verify_text(args.target, settings.brand, args.platform, *lists)
    known = known_scammer(args.target, settings, args.db)
    print("\n\n".join([*([known] if known else []), *(format_verdict(v) for v in verdicts)]))
    verdict = worst(verdicts)
    return 0 if verdict.official and not known else 3 if verdict.suspicious or known else 1
