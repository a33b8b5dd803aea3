"""`monitor review` and `monitor serve`: the review queue on the command line and as a local web
page."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from monitor.cli.dbargs import db_missing, report_query
from monitor.cli.shared import CliError
from monitor.core import config
from monitor.core.models import FINDING_KINDS, Brand
from monitor.desk import enforcing, review
from monitor.desk.allowing import Allowed, AllowTarget, allow_links
from monitor.store import Store


def add_review(p: argparse.ArgumentParser) -> None:
    """`monitor review` and its subcommands."""
    rsub = p.add_subparsers(dest="review_command", required=True)
    ls = _review_parser(rsub, "list", "findings waiting for review, newest first", cmd_review_list)
    ls.add_argument("--status", default="new", help="comma-separated statuses (default new)")
    ls.add_argument("--kind", help="only this finding kind")
    ls.add_argument("--since", help="only items posted since: 7d, 24h, 30m, 2w or a date")
    ls.add_argument(
        "--limit", type=int, default=50, help="at most this many rows (0: all; default 50)"
    )
    _review_parser(
        rsub, "show", "one finding with its post, actions and decisions", cmd_review_show
    ).add_argument("id", type=int)
    for verb in review.DECISIONS:
        d = _review_parser(
            rsub, verb, f"{verb} findings (status {review.DECISIONS[verb]})", cmd_review_decide
        )
        d.add_argument("ids", type=int, nargs="+", metavar="ID")
        d.add_argument("--who", help="reviewer name (default: $USER)")
        d.add_argument("--note", default="", help="a note kept with the decision")
        d.add_argument(
            "--config",
            help="your monitor.toml: the brand (confirm and resolve open takedown cases for"
            " phishing hosts and impostor accounts outside its domains) and the allow list"
            " (--allow-links)",
        )
    dismiss = rsub.choices["dismiss"]
    dismiss.add_argument(
        "--allow-links",
        action="store_true",
        help="also put the look-alike links of these impersonation findings on the allow list",
    )
    fl = _review_parser(rsub, "flag", "flag a stored post the detectors passed (confirmed at once)",
                        cmd_review_flag)
    fl.add_argument("target", metavar="PLATFORM:POST_ID")
    fl.add_argument("--kind", required=True, choices=FINDING_KINDS)
    fl.add_argument(
        "--label", default="", help=f"the finding's label (default {review.FLAG_LABEL})"
    )
    fl.add_argument("--note", default="", help="a note kept with the decision")
    fl.add_argument("--who", help="reviewer name (default: $USER)")
    fl.add_argument("--config", help="your monitor.toml: the brand (an impersonation opens "
                    "takedown cases for what it names, as confirming does)")
    ap = _review_parser(rsub, "approve", "release held actions to the sender", cmd_review_approve)
    ap.add_argument("ids", type=int, nargs="+", metavar="ACTION_ID")
    ap.add_argument("--who", help="reviewer name (default: $USER)")
    un = _review_parser(rsub, "undo", "lift a restriction or ban (an unban goes out once)",
                        cmd_review_undo)
    un.add_argument("ids", type=int, nargs="+", metavar="ACTION_ID")
    un.add_argument("--who", help="reviewer name (default: $USER)")
    _review_parser(
        rsub, "stats", "precision per detector from review decisions", cmd_review_stats
    ).add_argument("--since", default=review.DEFAULT_WINDOW, help="window start (default 7d)")
    ex = _review_parser(
        rsub,
        "export",
        "dismissed findings as labelled Post JSON lines for `monitor eval`",
        cmd_review_export,
    )
    ex.add_argument("--since", help="only items posted since: 7d, 24h, 30m, 2w or a date")
    ex.add_argument("--output", type=Path, help="output file (default: standard output)")


def _review_parser(rsub: Any, name: str, help_text: str, func: Any) -> argparse.ArgumentParser:
    """One `monitor review` subcommand with its --db option."""
    p = rsub.add_parser(name, help=help_text)
    p.add_argument("--db", default="monitor.db", help="SQLite database path or postgresql:// URL")
    p.set_defaults(func=func, verb=name)
    return p


def add_serve(p: argparse.ArgumentParser) -> None:
    """`monitor serve`."""
    p.add_argument("--config", help="monitor.toml (default: the bundled example)")
    p.add_argument("--db", help="SQLite database path (default: [monitor] db from the config)")
    p.add_argument("--host", help="address to listen on (default: [serve] host, else 127.0.0.1)")
    p.add_argument(
        "--port", type=int, help="port (default: [serve] port, else 8750; 0 picks a free one)"
    )
    p.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    p.add_argument(
        "--who", help="the name the shared token's decisions carry (default: $USER, else web)"
    )
    p.set_defaults(func=cmd_serve)


def cmd_review_list(args: argparse.Namespace) -> int:
    """The queue with this week's precision figures on top."""
    query = report_query(args.since, args.status)
    with _reviewing(args.db) as store:
        window = review.parse_since(review.DEFAULT_WINDOW)
        for p in review.precision(store, window):
            print(f"# {review.format_precision(p)} (last 7 days)")
        rows = review.queue(store, query.statuses, args.kind, query.since, limit=0)
    shown = rows[:args.limit] if args.limit > 0 else rows
    print(review.LIST_HEADER)
    for row in shown:
        print(review.format_line(row))
    if left := len(rows) - len(shown):  # on stderr: standard output stays the rows alone
        print(f"… {left} more; --limit 0 shows all", file=sys.stderr)
    return 0


def cmd_review_show(args: argparse.Namespace) -> int:
    """One finding in full (redacted text only)."""
    with _reviewing(args.db) as store:
        print("\n".join(review.format_detail(review.show(store, args.id))))
    return 0


def cmd_review_decide(args: argparse.Namespace) -> int:
    """Confirm, dismiss or resolve findings, recording who and when."""
    who = _who(args.who)
    # Read before any decision, so a config without an allow list of its own changes nothing.
    allowing = getattr(args, "allow_links", False)
    target = AllowTarget.from_settings(config.load(args.config)) if allowing else None
    brand = config.load(args.config).brand if args.verb in review.UPHOLD else None
    with _reviewing(args.db) as store:
        for finding_id in args.ids:
            row = review.decide(store, finding_id, args.verb, who, args.note, brand)
            held = ", ".join(
                f"#{a['id']} {a['kind']}" for a in row["action_rows"] if a["status"] == "held"
            )
            print(
                f"finding {finding_id}: {row['status']} by {who}"
                + (f"; still held: {held}" if held else "")
            )
            for line in row["cases"]:
                print(f"  {line}")
        if target is not None:
            _print_allowed(allow_links(store, args.ids, target), target.allow_list)
    return 0


def _print_allowed(result: Allowed, allow_list: Path) -> None:
    """What --allow-links did."""
    if result.added:
        print(f"allowed: {', '.join(result.added)} ({result.total} hosts in {allow_list})")
    if result.phishing:
        print(f"not allowed, on the phishing list: {', '.join(result.phishing)}", file=sys.stderr)
    if result.others:
        print(f"still new and linking to them: {', '.join(f'#{i}' for i in result.others)}")
    if result.without_links:
        ids = ", ".join(str(i) for i in result.without_links)
        print(f"no look-alike link to allow in finding {ids}", file=sys.stderr)


def cmd_review_flag(args: argparse.Namespace) -> int:
    """A finding on a stored post, confirmed at once; an impersonation one goes into the memory."""
    who = _who(args.who)
    brand = config.load(args.config).brand
    with _reviewing(args.db) as store:
        row = review.flag(store, args.target, args.kind, who, args.label, args.note, brand)
    print(f"finding {row['id']}: {row['kind']}/{review.plain(row['label'])} on {args.target} "
          f"confirmed by {who}")
    for line in row["cases"]:
        print(f"  {line}")
    return 0


def cmd_review_approve(args: argparse.Namespace) -> int:
    """Held actions become planned; the daemon's sender sends each once."""
    who = _who(args.who)
    with _reviewing(args.db) as store:
        for action_id in args.ids:
            action = review.approve(store, action_id, who)
            print(
                f"action {action_id} ({action['kind']} on {action['platform']}): planned by {who}"
            )
    return 0


def cmd_review_undo(args: argparse.Namespace) -> int:
    """A sent restriction or ban gets an unban planned; a held or planned one is skipped."""
    who = _who(args.who)
    with _reviewing(args.db) as store:
        for action_id in args.ids:
            row = enforcing.undo(store, action_id, who)
            done = (f"unban #{row['id']} planned" if row["kind"] == "unban"
                    else f"{row['kind']} skipped before it went out")
            print(f"action {action_id} on {row['platform']}: {done} by {who}")
    return 0


def cmd_review_stats(args: argparse.Namespace) -> int:
    """Precision per detector and kind over a window."""
    since = report_query(args.since, None).since or ""
    with _reviewing(args.db) as store:
        figures = review.precision(store, since)
    print(f"review decisions since {since}")
    for p in figures:
        print(review.format_precision(p))
    if not figures:
        print("no decisions in this window")
    return 0


def cmd_review_export(args: argparse.Namespace) -> int:
    """Dismissed findings as labelled posts, to re-measure the classifiers with `monitor eval`."""
    query = report_query(args.since, None)
    with _reviewing(args.db) as store:
        lines = [
            json.dumps(obj, ensure_ascii=False) + "\n"
            for obj in review.export_dismissed(store, query.since)
        ]
    if args.output:
        args.output.write_text("".join(lines), encoding="utf-8")
        print(f"{len(lines)} labelled posts: {args.output.resolve()}")
    else:
        sys.stdout.write("".join(lines))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the review page until SIGTERM/SIGINT."""
    from monitor.desk import people, serve

    settings = config.load(args.config)
    opts = settings.serve
    env_name = opts.get("token_env", "MONITOR_SERVE_TOKEN")
    given = config.env_secret(env_name)
    hours = opts.get("session_hours", people.SESSION_TTL.total_seconds() / 3600)
    if not 0 < hours <= 24 * 30:
        raise CliError(f"[serve] session_hours must be more than 0 and at most 720, not {hours}")
    ttl = timedelta(hours=hours)
    with _reviewing(args.db or settings.db) as store:
        try:
            # People signing in need no shared token; then one given is still checked.
            wanted = bool(given) or not people.has_users(store)
            token = serve.check_token(given, env_name) if wanted else None
            host = serve.check_host(args.host or opts.get("host", "127.0.0.1"), args.allow_remote)
        except serve.ServeError as exc:
            raise CliError(str(exc)) from None
        port = args.port if args.port is not None else opts.get("port", 8750)
        try:
            who = args.who or os.environ.get("USER") or "web"
            asyncio.run(_serve(store, host, port, token, who, _serve_allow(settings), ttl,
                               settings.brand))
        except OSError as exc:
            raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return 0


def _serve_allow(settings: config.Settings) -> AllowTarget | None:
    """Where the page's "Dismiss + allow links" writes; None (no button) without an allow list of
    one's own."""
    try:
        return AllowTarget.from_settings(settings)
    except config.ConfigError:
        return None


async def _serve(store: Store, host: str, port: int, token: str | None, who: str,
                 allow: AllowTarget | None, ttl: timedelta, brand: Brand) -> None:
    """Run the web app until a signal sets stop."""
    from monitor.desk import serve

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    ways = ["your name and password"] if _has_people(store) else []
    ways += ["the token"] if token else []

    def announce(url: str) -> None:
        print(f"review queue on {url} (sign in with {', or '.join(ways)})", flush=True)

    await serve.serve(store, host, port, token, who, stop, announce, allow, ttl, brand)


def _has_people(store: Store) -> bool:
    """Whether people may sign in with a name (for the start-up line)."""
    from monitor.desk import people

    return people.has_users(store)


@contextlib.contextmanager
def _reviewing(db: str) -> Iterator[Store]:
    """The store of an existing database, closed afterwards; a queue error becomes a CLI error."""
    if db_missing(db):
        raise CliError(f"{db}: database not found")
    store = Store(db)
    try:
        yield store
    except review.ReviewError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()


def _who(who: str | None) -> str:
    """The reviewer: --who, else $USER."""
    name = who or os.environ.get("USER", "")
    if not name:
        raise CliError("name the reviewer with --who (USER is not set)")
    return name
