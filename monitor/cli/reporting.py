"""`monitor report`: the flagged-items report of a database, as HTML, Markdown, CSV or JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitor.cli.dbargs import db_missing, report_query
from monitor.cli.shared import CliError
from monitor.desk import report
from monitor.store import Store


def add_report(p: argparse.ArgumentParser) -> None:
    """--db, --format, --output, --since and --status."""
    p.add_argument("--db", default="monitor.db", help="SQLite database path or postgresql:// URL")
    p.add_argument("--format", choices=report.FORMATS, default="html")
    p.add_argument("--output", type=Path, help="output file (default: standard output)")
    p.add_argument("--since", help="only items posted since: 7d, 24h, 30m, 2w or a date")
    p.add_argument(
        "--status", help="only items with these statuses, comma-separated (e.g. new,confirmed)"
    )
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the flagged-items report."""
    if db_missing(args.db):
        raise CliError(f"{args.db}: database not found")
    query = report_query(args.since, args.status)
    store = Store(args.db)
    try:
        text = report.render(store, args.format, query)
    finally:
        store.close()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"report: {args.output.resolve()}")
    else:
        sys.stdout.write(text)
    return 0
