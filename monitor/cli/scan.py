"""`monitor scan`: its options; the input read as lines (a missing, unreadable or empty one
answered before any model loads) and each line's result written as a JSON line or a table row."""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, TextIO

from monitor.cli import progress, scanning
from monitor.cli.shared import CliError, missing_lists, salt
from monitor.core import config
from monitor.core.pipeline import Pipeline
from monitor.core.postjson import decode_lines, is_blank

# What str.splitlines() breaks at, and every other C0 and C1 control character.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def add_scan(p: argparse.ArgumentParser) -> None:
    """The input file, --config, --format and --jobs."""
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
    key = salt(settings, None)
    if jobs > 1:
        results = scanning.scan_in_workers(lines, settings, key, jobs)
    else:
        results = scanning.scan_lines(lines, Pipeline.from_settings(settings, key, remember=False))
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


def _warn_missing_lists(settings: config.Settings) -> None:
    """Say on stderr which configured list files are missing (`config check` fails on them)."""
    for line in missing_lists(settings):
        print(f"monitor: warning: {line}", file=sys.stderr)


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
    """One result as a JSON line."""
    out.write(json.dumps(result, ensure_ascii=False) + "\n")


def _write_table_header(out: TextIO) -> None:
    """The table's column names."""
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


def _open_bytes(name: str) -> BinaryIO:
    """An input file, with a clear error when missing."""
    try:
        return open(name, "rb")
    except OSError as exc:
        raise CliError(f"{name}: {exc.strerror}") from None
