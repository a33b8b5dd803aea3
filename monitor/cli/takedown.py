"""`monitor cases`: takedown cases for phishing hosts and impostor accounts (list, show, update)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from monitor.cli.dbargs import db_missing
from monitor.cli.shared import CliError
from monitor.core import config
from monitor.desk import abuse, cases
from monitor.store import Store

LIST_STATUSES = ("open", "reported", "down", "rejected", "all")


def add_cases(p: argparse.ArgumentParser) -> None:
    """`monitor cases` and its subcommands."""
    csub = p.add_subparsers(dest="cases_command", required=True)
    ls = _parser(csub, "list", "cases with their age, oldest first seen first", cmd_cases_list)
    ls.add_argument("--status", default="open", choices=LIST_STATUSES,
                    help="open (the default: open or reported), one status, or all")
    sh = _parser(csub, "show", "one case with its posts (redacted)", cmd_cases_show)
    sh.add_argument("id", type=int)
    sh.add_argument("--abuse-report", action="store_true",
                    help="print the abuse report to send to the registrar, host or platform")
    sh.add_argument("--config", help="monitor.toml naming the brand (default: the bundled example)")
    up = _parser(csub, "update", "move a case: open -> reported -> down | rejected",
                 cmd_cases_update)
    up.add_argument("id", type=int)
    up.add_argument("--status", required=True, choices=("reported", "down", "rejected"))
    up.add_argument("--who", help="manager name (default: $USER)")
    up.add_argument("--note", default="", help="a note kept with the case (e.g. the ticket number)")


def _parser(csub: Any, name: str, help_text: str, func: Any) -> argparse.ArgumentParser:
    """One `monitor cases` subcommand with its --db option."""
    p = csub.add_parser(name, help=help_text)
    p.add_argument("--db", default="monitor.db", help="SQLite database path or postgresql:// URL")
    p.set_defaults(func=func)
    return p


def cmd_cases_list(args: argparse.Namespace) -> int:
    """The cases of a status, one line each."""
    with _store(args.db) as store:
        rows = cases.cases(store, args.status)
        took = cases.time_to_takedown(store)
    print(abuse.LIST_HEADER)
    for row in rows:
        print(abuse.format_line(row))
    if took is not None:  # on stderr: standard output stays the rows
        print(f"time to takedown (median over cases down): {cases.format_span(took)}",
              file=sys.stderr)
    return 0


def cmd_cases_show(args: argparse.Namespace) -> int:
    """One case in full, or its abuse report."""
    brand = config.load(args.config).brand
    with _store(args.db) as store:
        case = cases.show(store, args.id)
    if args.abuse_report:
        sys.stdout.write(abuse.abuse_report(case, brand))
    else:
        print("\n".join(abuse.format_detail(case, brand)))
    return 0


def cmd_cases_update(args: argparse.Namespace) -> int:
    """Move a case to its next status, recording who and when."""
    who = args.who or os.environ.get("USER", "")
    if not who:
        raise CliError("name the manager with --who (USER is not set)")
    with _store(args.db) as store:
        case = cases.update(store, args.id, args.status, who, args.note)
    print(f"case {case['id']} ({cases.subject_words(case)}): {case['status']} by {who}")
    return 0


@contextlib.contextmanager
def _store(db: str) -> Iterator[Store]:
    """The store of an existing database, closed afterwards; a case error becomes a CLI error."""
    if db_missing(db):
        raise CliError(f"{db}: database not found")
    store = Store(db)
    try:
        yield store
    except cases.CaseError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
