"""`monitor users`: the people who sign in to `monitor serve`: add, list, disable, enable, reset."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from collections.abc import Iterator
from typing import Any

from monitor.cli.dbargs import db_missing
from monitor.cli.shared import CliError
from monitor.store import Store


def add_users(p: argparse.ArgumentParser) -> None:
    """`monitor users` and its subcommands."""
    from monitor.desk.people import ROLES

    usub = p.add_subparsers(dest="users_command", required=True)
    add = _parser(usub, "add", "add a person (prints their personal API token once)", cmd_add)
    add.add_argument("name")
    add.add_argument("--role", required=True, help=f"one of {', '.join(ROLES)}")
    _password_option(add)
    _parser(usub, "list", "name, role, active, last sign-in", cmd_list)
    for verb, text in (("disable", "a person can no longer sign in (their sessions end)"),
                       ("enable", "a disabled person may sign in again")):
        _parser(usub, verb, text, cmd_active).add_argument("name")
    reset = _parser(usub, "reset", "a new password (their sessions end)", cmd_reset)
    reset.add_argument("name")
    reset.add_argument("--token", action="store_true",
                       help="also a new personal API token, printed once (the old one stops)")
    _password_option(reset)


def _parser(usub: Any, name: str, help_text: str, func: Any) -> argparse.ArgumentParser:
    """One `monitor users` subcommand with its --db option."""
    p = usub.add_parser(name, help=help_text)
    p.add_argument("--db", default="monitor.db", help="SQLite database path or postgresql:// URL")
    p.set_defaults(func=func, verb=name)
    return p


def _password_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input (scripts)")


def cmd_add(args: argparse.Namespace) -> int:
    """Add a person; their token is printed once and only its hash is kept."""
    from monitor.desk import people

    _check(people.check_name, args.name)
    _check(people.check_role, args.role)
    password = _password(args, args.name)
    with _people_store(args.db, create=True) as store:
        token = people.add_user(store, args.name, args.role, password, _operator())
    print(f"user {args.name} added ({args.role})")
    print(f"personal API token (shown once, send it as 'Authorization: Bearer ...'): {token}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Every person, one line each."""
    from monitor.desk import people

    with _people_store(args.db) as store:
        rows = people.users(store)
    print(f"{'name':<24} {'role':<9} {'active':<7} last sign-in")
    for r in rows:
        active = "yes" if r["active"] else "no"
        print(f"{r['name']:<24} {r['role']:<9} {active:<7} {r['last_sign_in'] or 'never'}")
    if not rows:
        print("no users yet: `monitor users add NAME --role reviewer`", file=sys.stderr)
    return 0


def cmd_active(args: argparse.Namespace) -> int:
    """Disable or enable a person."""
    from monitor.desk import people

    with _people_store(args.db) as store:
        people.set_active(store, args.name, args.verb == "enable", _operator())
    print(f"user {args.name} {args.verb}d")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    """A new password, every session ended; with --token a new personal token too."""
    from monitor.desk import people

    with _people_store(args.db) as store:
        people.known(store, args.name)  # no password asked for a name that is not there
        password = _password(args, args.name)
        token = people.reset(store, args.name, password, _operator(), token=args.token)
    print(f"user {args.name}: new password; their sessions ended")
    if token:
        print(f"personal API token (shown once; the old one no longer works): {token}")
    return 0


def _password(args: argparse.Namespace, name: str) -> str:
    """The new password: the first line of stdin with --password-stdin, else asked twice on the
    terminal; checked before anything is stored."""
    from monitor.desk import people

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != password:
            raise CliError("the passwords differ; nothing changed")
    else:
        raise CliError("no terminal to ask the password on: pipe it with --password-stdin")
    if not password:
        raise CliError("empty password; nothing changed")
    return _check(lambda p: people.check_password(p, name), password)


def _check(check: Any, value: str) -> str:
    """A people check whose error becomes the one-line CLI error."""
    from monitor.desk.people import PeopleError

    try:
        return str(check(value))
    except PeopleError as exc:
        raise CliError(str(exc)) from None


def _operator() -> str:
    """Who ran the command, for the audit log."""
    return f"cli:{os.environ.get('USER') or 'unknown'}"


@contextlib.contextmanager
def _people_store(db: str, create: bool = False) -> Iterator[Store]:
    """The store (an existing one unless `create`), closed afterwards; a people error becomes a
    CLI error."""
    from monitor.desk.people import PeopleError

    if not create and db_missing(db):
        raise CliError(f"{db}: database not found")
    store = Store(db)
    try:
        yield store
    except PeopleError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
