"""Command line: parser and entry point, and the run, demo, scan, report, lists and eval
commands."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import re
import secrets as pysecrets
import signal
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from monitor import evalsets
from monitor.classify import format_verdict, verify_text, worst
from monitor.cli import alerts as cli_alerts
from monitor.cli import dbcopy as cli_db
from monitor.cli import doctor, evaluate, firstrun, progress, scanning
from monitor.cli import review_serve as cli_review
from monitor.cli import takedown as cli_cases
from monitor.cli import users as cli_users
from monitor.cli.known import known_scammer
from monitor.cli.shared import CliError, db_missing, missing_lists, report_query
from monitor.core import config
from monitor.core.hostlists import ListError, NotADomain, remove_domains, update_list
from monitor.core.hostlists import load as load_list
from monitor.core.models import PLATFORMS
from monitor.core.pipeline import Pipeline
from monitor.core.postjson import decode_lines, is_blank
from monitor.desk import digest, report
from monitor.resources import data_path
from monitor.runtime import logs
from monitor.store import Store
from monitor.store.postgres import StoreUnreachable, is_url

# The daemon's and the web app's modules are imported by the commands that run them: aiohttp and the
# connectors would cost every `monitor scan` ~20 MB and 0.3 s of start-up.
if TYPE_CHECKING:
    from monitor.connectors.protocol import Connector
    from monitor.runtime import daemon

DEMO_STREAM = data_path("demo", "stream.jsonl")
log = logging.getLogger("monitor")
# What str.splitlines() breaks at, and every other C0 and C1 control character.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `monitor` console script."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models load from disk only, never downloaded
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (
        CliError,
        config.ConfigError,
        ListError,
        StoreUnreachable,
    ) as exc:  # ListError names the list file and line
        print(f"monitor: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:  # Ctrl-C: said in one line, with the shell's code for it
        print("monitor: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    """All subcommands and their options."""
    parser = argparse.ArgumentParser(prog="monitor", description=(
        "support-monitor: watch X, Telegram, Discord and Reddit for support requests,"
        " impersonators and leaked secrets."
    ))
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run(sub)
    _add_demo(sub)
    _add_scan(sub)
    _add_report(sub)
    _add_config(sub)
    _add_verify(sub)
    _add_lists(sub)
    _add_eval(sub)
    _add_eval_convert(sub)
    _add_train(sub)
    cli_review.add_review(sub)
    cli_review.add_serve(sub)
    cli_users.add_users(sub)
    cli_cases.add_cases(sub)
    firstrun.add_init(sub)
    doctor.add_doctor(sub)
    cli_alerts.add_digest(sub)
    cli_db.add_db(sub)
    return parser


def _version() -> str:
    """The installed package's version (a source tree that was never installed says so)."""
    try:
        return metadata.version("support-monitor")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _add_run(sub: Any) -> None:
    p = sub.add_parser("run", help="run the daemon (or replay a Post JSON lines file)")
    p.add_argument("--config", help="monitor.toml (default: the bundled example)")
    p.add_argument(
        "--replay", type=Path, help="read posts from this JSON lines file and exit at its end"
    )
    p.add_argument("--db", help="SQLite database path or postgresql:// URL "
                   "(default: [monitor] db from the config)")
    p.add_argument("--dry-run", action="store_true", help="plan actions but send nothing")
    p.add_argument("--outbox", type=Path, help="with --replay: write sent actions to this file")
    p.add_argument(
        "--log-format",
        choices=logs.FORMATS,
        help="log lines as JSON objects or plain text (default: [monitor] log_format, json)",
    )
    p.set_defaults(func=cmd_run)


def _add_demo(sub: Any) -> None:
    p = sub.add_parser("demo", help="replay the bundled demo stream (dry run) and write the report")
    p.add_argument(
        "--out", type=Path, default=Path("out/demo"), help="output folder (default out/demo)"
    )
    p.set_defaults(func=cmd_demo)


def _add_scan(sub: Any) -> None:
    p = sub.add_parser("scan", help="classify Post JSON lines; one JSON result line per input line")
    p.add_argument("file", nargs="?", default="-", help="input file, or - for standard input")
    p.add_argument("--config", help="monitor.toml (default: the bundled example)")
    p.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    p.add_argument(
        "--jobs",
        type=_positive,
        help="worker processes (default: one per usable CPU, at most "
        f"{scanning.MAX_AUTO_JOBS}, for a file of over {scanning.PARALLEL_FROM} lines, else 1)",
    )
    p.set_defaults(func=cmd_scan)


def _add_report(sub: Any) -> None:
    p = sub.add_parser("report", help="write the flagged-items report")
    p.add_argument("--db", default="monitor.db", help="SQLite database path or postgresql:// URL")
    p.add_argument("--format", choices=report.FORMATS, default="html")
    p.add_argument("--output", type=Path, help="output file (default: standard output)")
    p.add_argument("--since", help="only items posted since: 7d, 24h, 30m, 2w or a date")
    p.add_argument(
        "--status", help="only items with these statuses, comma-separated (e.g. new,confirmed)"
    )
    p.set_defaults(func=cmd_report)


def _add_config(sub: Any) -> None:
    p = sub.add_parser("config", help="configuration tools")
    csub = p.add_subparsers(dest="config_command", required=True)
    check = csub.add_parser("check", help="validate a config file")
    check.add_argument("file", nargs="?", help="monitor.toml (default: the bundled example)")
    check.set_defaults(func=cmd_config_check)


def _add_verify(sub: Any) -> None:
    p = sub.add_parser(
        "verify", help="is this account or link official? if not, why does it look like it?"
    )
    p.add_argument("target", help="a handle (@name, u/name), a profile link or any link or domain")
    p.add_argument("--platform", choices=PLATFORMS, help="the platform of a bare handle")
    p.add_argument("--config", help="monitor.toml (default: the bundled example)")
    p.add_argument(
        "--db",
        help="the database whose campaign memory to ask (default: [monitor] db, if it exists)",
    )
    p.set_defaults(func=cmd_verify)


def _add_lists(sub: Any) -> None:
    p = sub.add_parser("lists", help="the operator's phishing list and allow list of hosts")
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


def _add_eval(sub: Any) -> None:
    p = sub.add_parser("eval", help="score the detectors on labelled Post JSON lines")
    p.add_argument("file", type=Path, help="Post JSON lines, each with an `expected` list")
    p.add_argument("--config", help="monitor.toml (default: the bundled example)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=cmd_eval)


def _add_eval_convert(sub: Any) -> None:
    p = sub.add_parser(
        "eval-convert", help="convert a third-party eval set to labelled Post JSON lines"
    )
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


# -- commands -------------------------------------------------------------------------------


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


def _warn_missing_lists(settings: config.Settings) -> None:
    """Say on stderr which configured list files are missing (`config check` fails on them)."""
    for line in missing_lists(settings):
        print(f"monitor: warning: {line}", file=sys.stderr)


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


def _add_train(sub: Any) -> None:
    p = sub.add_parser(
        "train", help="build the support classifier from the project's own training data"
    )
    p.add_argument("--out", type=Path, help="model folder (default data/support/model)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--eval-dir",
        type=Path,
        help="also learn from the dev halves of banking77 and "
        "CLINC150 in this folder (e.g. ../shared/eval; their licences go in the model's meta)",
    )
    p.set_defaults(func=cmd_train)


def cmd_train(args: argparse.Namespace) -> int:
    """Train the support classifier and print its figures."""
    from monitor.cli.train import train  # torch loads only for this command

    if args.eval_dir is not None and not args.eval_dir.is_dir():
        raise CliError(f"{args.eval_dir}: no such folder")
    out = {"out_dir": args.out} if args.out else {}
    figures = train(**out, seed=args.seed, eval_dir=args.eval_dir)
    for key, value in figures.items():
        print(f"{key}: {value}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score the pipeline on a labelled file."""
    settings = config.load(args.config)
    progress = evaluate.progress_wanted(args.no_progress)
    return evaluate.run_eval(args.file, settings, progress, args.json, sys.stdout)


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


def cmd_scan(args: argparse.Namespace) -> int:
    """Classify each input line and write one result line per input line, in order; exit 1 if any
    line was malformed (or could not be processed), after the last line."""
    settings = config.load(args.config)
    _warn_missing_lists(settings)
    # The input is opened and its first post read before any model loads, so a missing, unreadable
    # or empty input is answered at once rather than after the models' start-up.
    name = "standard input" if args.file == "-" else args.file
    blank, rest = _up_to_first_post(_input_lines(args.file), name)
    table = args.format == "table"
    if table:
        _write_table_header(sys.stdout)

    def write(number: int, result: dict[str, Any]) -> None:
        if table:
            _write_table(number, result, sys.stdout)
        else:
            _write_jsonl(result, sys.stdout)

    if rest is None:  # still one answer per line: each is blank
        for number in range(1, len(blank) + 1):
            write(number, scanning.blank(number))
        print(f"monitor: {name}: nothing to scan (no Post JSON lines)", file=sys.stderr)
        return 0
    lines, jobs = itertools.chain(blank, rest), args.jobs
    if jobs is None and args.file != "-":  # workers for a long file only: read that far to know
        head, rest, longer = scanning.head_and_rest(rest, scanning.PARALLEL_FROM)
        lines, jobs = itertools.chain(blank, head, rest), scanning.auto_jobs() if longer else 1
    # Standard input may be a stream a line at a time: its results are not held back for
    # 2,048 lines to be read first, so it runs in one process unless --jobs says otherwise.
    jobs = jobs or 1
    salt = _salt(settings, None)
    if jobs > 1:
        results = scanning.scan_in_workers(lines, settings, salt, jobs)
    else:
        results = scanning.scan_lines(lines, Pipeline.from_settings(settings, salt, remember=False))
    malformed = False
    shown = progress.on_terminal(stdout_too=False)  # results on the same terminal: no bar
    with progress.bar("scan", progress.line_count(args.file) if shown else None, shown) as bar:
        try:
            for number, result in enumerate(results, 1):
                malformed = malformed or "error" in result
                write(number, result)
                bar.update()
        except scanning.WorkerDied as exc:
            raise CliError(str(exc)) from None
    return 1 if malformed else 0


def _positive(value: str) -> int:
    """An argument that must be a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return number


def _input_lines(name: str) -> Iterable[str]:
    """The lines of a file or of stdin ("-"), read as bytes: a line that is not UTF-8 is then one
    malformed line (postjson.decode_lines), not a crash or silently altered text."""
    if name != "-":
        return decode_lines(_open_bytes(name))
    buffer = getattr(sys.stdin, "buffer", None)  # a text stream put in place of stdin has none
    return sys.stdin if buffer is None else decode_lines(buffer)


def _up_to_first_post(lines: Iterable[str], name: str) -> tuple[list[str], Iterator[str] | None]:
    """The blank lines before the first other line, and the lines from that one on (None when
    there is none: the input is empty)."""
    blank: list[str] = []
    stream = iter(lines)
    try:
        for line in stream:
            if not is_blank(line):
                return blank, itertools.chain([line], stream)
            blank.append(line)
    except OSError as exc:
        raise CliError(f"{name}: {exc.strerror}") from None
    return blank, None


def _write_jsonl(result: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(result, ensure_ascii=False) + "\n")


def _write_table_header(out: TextIO) -> None:
    out.write(_table_row("LINE", "ID", "TEXT", "FINDINGS"))


def _write_table(number: int, result: dict[str, Any], out: TextIO) -> None:
    """One aligned row: the line number, the post's id and redacted text, its findings (for a
    malformed line the error, for a blank line a mark), control characters made spaces."""
    if "error" in result:
        out.write(_table_row(str(number), "-", "(not a post)", f"ERROR {result['error']}"))
    elif "blank" in result:
        out.write(_table_row(str(number), "-", "(blank)", "-"))
    else:
        labels = ", ".join(f"{f['kind']}/{f['label']} {f['score']:.2f}" for f in result["findings"])
        out.write(_table_row(str(number), result["id"], result["text_redacted"], labels or "-"))


def _table_row(line: str, post_id: str, text: str, findings: str) -> str:
    """Fixed-width columns, so rows line up as they stream out; the findings come last, never
    cut."""
    return (f"{_fit(line, 5, right=True)}  {_fit(_printable(post_id), 20)}  "
            f"{_fit(_printable(text), 50)}  {_printable(findings)}\n")


def _fit(text: str, width: int, right: bool = False) -> str:
    """Text cut (with "…") or padded to `width` terminal cells: a wide (CJK) character takes two,
    a combining mark or format character none."""
    cells = sum(map(_cells, text))
    if cells > width:
        kept: list[str] = []
        cells = 1  # the "…"
        for char in text:
            if cells + _cells(char) > width:
                break
            kept.append(char)
            cells += _cells(char)
        text = "".join(kept) + "…"
    pad = " " * (width - cells)
    return pad + text if right else text + pad


def _cells(char: str) -> int:
    """How many terminal cells a character takes."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _printable(text: str) -> str:
    """Text a post's author wrote, made safe for one line of a terminal: control characters (an
    escape sequence could rewrite the screen) and line breaks (a fake result line) become spaces."""
    return _CONTROLS.sub(" ", text)


def cmd_run(args: argparse.Namespace) -> int:
    """The daemon; with --replay it reads the file through the whole pipeline and exits."""
    from monitor.cli.connecting import build_connectors
    from monitor.connectors.replay import ReplayConnector

    settings = config.load(args.config)
    logs.setup(settings.log_level, args.log_format or settings.log_format)
    for line in missing_lists(settings):  # the daemon reads a list once it is written
        log.warning("%s", line)
    if args.replay is not None and not args.replay.is_file():
        raise CliError(f"{args.replay}: replay file not found")
    store = Store(args.db or settings.db)
    shown = args.replay is not None and progress.on_terminal()
    bar = progress.bar("replay", progress.line_count(args.replay) if shown else None, shown)
    try:
        if args.replay is not None:
            connectors: list[Connector] = [
                ReplayConnector(args.replay, store, args.outbox, on_lines=bar.update)
            ]
        else:
            connectors = build_connectors(settings, store)
        if not connectors:
            raise CliError(
                "nothing to run: no --replay file and no platform connector enabled "
                "with its credentials (see [telegram], [discord], [twitter], [reddit])"
            )
        with progress.logs_above(shown):
            counters = _run(settings, store, connectors, args.dry_run)
    finally:
        bar.close()
        store.close()
    _print_counters(counters)
    return 0


def _run(
    settings: config.Settings, store: Store, connectors: list[Connector], dry_run: bool
) -> daemon.Counters:
    """Run connectors through the daemon until they end or SIGTERM/SIGINT arrives; SIGHUP reloads
    the config."""
    from monitor.connectors.replay import ReplayConnector
    from monitor.runtime import daemon, ops_server, reload
    from monitor.runtime.health import Health
    from monitor.runtime.outbound import Outbound

    replica = None
    if is_url(store.path):  # one of any number of replicas sharing this Postgres, seen at once
        from monitor.runtime.replicas import Replica

        replica = Replica(store)
    salt = _salt(settings, store)
    pipeline = Pipeline.from_settings(settings, salt)
    ingest = daemon.Ingest(pipeline, store, settings.modes, dry_run, settings.policy)
    ingest.health = health = Health(store)
    if replica is not None:
        replica.metrics = ingest.metrics
        ingest.replica = replica
    # channels beyond the managers' chat; [alerts] is read at start (a SIGHUP does not swap it)
    ingest.alerting = cli_alerts.alerting_for(settings, cli_alerts.managers_chat(connectors))

    async def main() -> daemon.Counters:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        reload.install(ingest, settings.path, salt)
        try:
            ops = await ops_server.start_for(settings, ingest.metrics, health)
        except OSError as exc:
            raise CliError(
                f"cannot listen on {settings.metrics_host}:{settings.metrics_port} "
                f"([monitor] metrics_port): {exc.strerror}"
            ) from None
        try:
            return await daemon.run(
                connectors, ingest, stop, outbound=Outbound.from_settings(settings),
                digest=digest.build,
            )
        finally:
            if ops is not None:
                await ops.cleanup()

    counters = asyncio.run(main())
    states = set(health.connectors.values())
    if states == {"stopped"}:  # every connector hit a fatal error: exiting 0 would hide it
        raise CliError("nothing left to run: every connector stopped (the reason is logged above)")
    for c in connectors:
        if isinstance(c, ReplayConnector) and c.errors:
            log.warning("%d malformed line(s) skipped in %s", c.errors, c.path.name)
    return counters


def cmd_demo(args: argparse.Namespace) -> int:
    """Replay the bundled demo stream into a fresh database and write the HTML report."""
    from monitor.connectors.replay import ReplayConnector

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    db = out / "monitor.db"
    for old in (db, out / "monitor.db-wal", out / "monitor.db-shm"):
        old.unlink(missing_ok=True)
    settings = config.load(None)
    _setup_logging(settings.log_level, out / "monitor.log")
    store = Store(db)
    try:
        counters = _run(settings, store, [ReplayConnector(DEMO_STREAM, store)], dry_run=True)
        html_path = out / "report.html"
        html_path.write_text(report.render(store, "html"), encoding="utf-8")
    finally:
        store.close()
    _print_counters(counters)
    print(f"database: {db}\nreport:   {html_path.resolve()}")
    return 0


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


# -- helpers --------------------------------------------------------------------------------


def _salt(settings: config.Settings, store: Store | None) -> bytes:
    """The fingerprint salt: from the env var named in config, else the database's own."""
    value = config.env_secret(settings.salt_env)
    if value:
        return value.encode("utf-8")
    return store.salt() if store else pysecrets.token_bytes(32)


def _open_bytes(name: str) -> BinaryIO:
    """An input file, with a clear error when missing."""
    try:
        return open(name, "rb")
    except OSError as exc:
        raise CliError(f"{name}: {exc.strerror}") from None


def _setup_logging(level: str, logfile: Path | None = None) -> None:
    """Log plain text to stderr (and a file), through the secret filter; log lines never carry post
    text."""
    logs.setup(level, "text", logfile)


def _print_counters(c: daemon.Counters) -> None:
    """The one-line summary of a run."""
    findings = ", ".join(f"{k} {v}" for k, v in sorted(c.findings.items())) or "none"
    actions = ", ".join(f"{k} {v}" for k, v in sorted(c.actions.items())) or "none"
    print(f"posts {c.posts} (duplicates {c.duplicates}); findings: {findings}; actions: {actions}")


if __name__ == "__main__":
    sys.exit(main())
