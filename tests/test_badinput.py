"""Bad input: any Unicode, markup and 1 MB texts through the daemon's ingest; hostile lines (deep
nesting, huge numbers, bytes that are not UTF-8, wrong types, several MB)
through scan, replay, eval."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import io
import json
import logging
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mnemonic import Mnemonic

from monitor.cli.entry import main
from monitor.cli.evaluate import run_eval
from monitor.cli.scanning import scan_lines
from monitor.connectors.replay import ReplayConnector
from monitor.core import config
from monitor.core.models import CHANNELS, PLATFORMS, Author, Finding, Post
from monitor.core.pipeline import Pipeline
from monitor.core.postjson import MAX_DEPTH, MAX_LINE, MAX_TEXT, PostError, decode_lines, parse_line
from monitor.runtime import daemon
from monitor.runtime.daemon import Ingest
from monitor.store import Store

PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))
FRAGMENTS = [
    "\u200b",
    "\u200d",
    "\u202e",
    "\u2067",
    "\u2069",
    "\ufeff",
    "\u0301",
    "<b>",
    "</b>",
    "<script>",
    "[link](http://x.io)",
    "**",
    "okx",
    "0kx",
    "ＯＫＸ",
    "support",
    "@okx_support",
    "https://okx.com.evil.io",
    "abandon",
    "提现",
    "幫助",
    "مرحبا",
    "\n",
    "\t",
    " ",
    "\x00",
    "\ud800",
    "\udfff",
    "🚀",
    "sk_live_",
    "password:",
    "0x",
    "a." * 20,
    "<b>" * 20,
]
TEXTS = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(FRAGMENTS)), max_size=80).map(
    "".join
)
PER_POST = 2.0  # seconds: a generous bound for texts of a few thousand characters


@cache
def _pipeline() -> Pipeline:
    """One pipeline for the module, its models loaded (they load at the first post, which no test
    that times a post should pay for)."""
    pipeline = Pipeline.from_settings(config.load(None), b"badinput-salt" * 3)
    pipeline.process(
        Post("telegram", "0", Author("telegram", "0", "warm"), "my withdrawal is stuck")
    )
    return pipeline


def _ingest() -> Ingest:
    """A fresh in-memory store behind the daemon's Ingest."""
    return Ingest(_pipeline(), Store(":memory:"), dict(config.DEFAULT_MODES), dry_run=True)


def _post(text: str, post_id: str = "1", handle: str = "user") -> Post:
    return Post("telegram", post_id, Author("telegram", "7", handle, name=handle), text)


def _ingested(ingest: Ingest, post: Post) -> tuple[str, float]:
    """Run one post through Ingest; the stored text and the seconds it took."""
    start = time.perf_counter()
    asyncio.run(ingest(post))
    seconds = time.perf_counter() - start
    row = ingest.store.post(post.platform, post.id)
    assert row is not None, "the post was not stored"
    return row["text"], seconds


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(TEXTS, st.sampled_from(["bob", "\ud800bob", "ok\u200bx", ""]))
def test_any_text_is_stored_once_without_crash_in_bounded_time(text: str, handle: str) -> None:
    ingest = _ingest()
    stored, seconds = _ingested(ingest, _post(text, handle=handle))
    assert seconds < PER_POST
    assert not stored.startswith("[not processed"), "the pipeline raised on this text"
    stored.encode("utf-8")  # no lone surrogate reached the database
    asyncio.run(ingest(_post(text, handle=handle)))
    assert ingest.counters.posts == 1 and ingest.counters.duplicates == 1


@settings(max_examples=60, deadline=None, derandomize=True)
@given(TEXTS, TEXTS)
def test_a_seed_phrase_in_any_surroundings_never_reaches_the_database(
    before: str, after: str
) -> None:
    stored, _ = _ingested(_ingest(), _post(f"{before} {PHRASE} {after}"))
    assert PHRASE not in stored
    assert "seed phrase removed" in stored


FAMILIES = {
    "dotted run": lambda n: ("a." * n)[:n],
    "'.com' then markup": lambda n: (".com" + "<b>" * n)[:n],
    "deep markup": lambda n: "<b>" * (n // 7) + "x" + "</b>" * (n // 7),
    "rtl and zero-width": lambda n: ("\u202eokx\u200bsupport\u200d\u2067 " * n)[:n],
}


def _best_time(text: str) -> float:
    """The faster of two runs through the pipeline (a busy machine only ever adds time)."""
    times = []
    for _ in range(2):
        start = time.perf_counter()
        _pipeline().process(_post(text))
        times.append(time.perf_counter() - start)
    return min(times)


@pytest.mark.parametrize("family", FAMILIES)
def test_time_grows_linearly_with_text_length(family: str) -> None:
    make = FAMILIES[family]
    small, large = _best_time(make(32_000)), _best_time(make(128_000))
    # 4x the text: about 4x the time; catastrophic backtracking would give 16x or more
    assert large < max(small, 0.01) * 9, f"{family}: {small:.3f}s for 32k, {large:.3f}s for 128k"


def test_a_1mb_text_is_stored_redacted_in_bounded_time() -> None:
    text = ("<b>" * 50 + " " + PHRASE + " " + "a." * 100 + "提现\u200b ") * 2400
    assert len(text) > 1_000_000
    stored, seconds = _ingested(_ingest(), _post(text))
    assert seconds < 60, f"1 MB took {seconds:.1f}s"
    assert PHRASE not in stored


# -- hostile lines: each gives one answer (scan) or one skip (replay), and the work goes on ---

ROOT = Path(__file__).resolve().parent.parent
# In the text of every bad line built from a post: no error message or log line may quote it.
CANARY = "canary-4e1f my password is Gr33n-Tea-41"
BASE: dict[str, Any] = {
    "id": "b",
    "platform": "telegram",
    "channel": "group",
    "text": CANARY,
    "created_at": "2026-11-20T08:00:00Z",
    "url": "https://t.me/c/1/2",
    "reply_to": "1",
    "author": {
        "id": "7",
        "handle": "bob",
        "name": "Bob",
        "followers": 3,
        "verified": False,
        "created_at": "2026-01-01T00:00:00Z",
        "bio": "hi",
    },
    "staff": [{"id": "9", "handle": "mod", "name": "Mod"}],
}
HOLE = "@@hole@@"


@dataclass(frozen=True)
class Line:
    """One input line (without its end) and what must come of it."""

    data: bytes
    kind: str  # good, bad or blank
    expect: str = ""  # good: the post's id; bad: words the error must hold


def _with(path: tuple[str | int, ...], raw: str) -> bytes:
    """BASE as one JSON line, with the JSON text `raw` at path (an absent key is added)."""
    obj = json.loads(json.dumps(BASE))
    place = obj
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = HOLE
    return json.dumps(obj).replace(json.dumps(HOLE), raw).encode()


def _nested(depth: int, braces: bool) -> str:
    return '{"a":' * depth + "0" + "}" * depth if braces else "[" * depth + "0" + "]" * depth


def _dumps(value: Any) -> str:
    return json.dumps(value)


ANY_FIELD = st.sampled_from(
    [
        ("text",),
        ("id",),
        ("author",),
        ("author", "handle"),
        ("author", "followers"),
        ("staff",),
        ("staff", 0),
        ("staff", 0, "handle"),
        ("extra",),
    ]
)
NOT_STRING = st.one_of(
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.booleans(),
    st.floats(),
).map(_dumps)
NOT_OBJECT = st.one_of(
    st.text(min_size=1, max_size=5),
    st.integers(),
    st.lists(st.integers(), max_size=2),
    st.booleans(),
    st.none(),
).map(_dumps)
BAD_TIMES = st.sampled_from(
    ['"yesterday"', '"2026-13-01"', '"2026-11-20T25:00"', "1700000000", "[]"]
)
REQUIRED = st.one_of(NOT_STRING, st.just("null"), st.just('""'))
# A field and JSON of a wrong type (or value) for it; the error names the field.
WRONG: dict[tuple[str | int, ...], st.SearchStrategy[str]] = {
    ("id",): REQUIRED,
    ("text",): REQUIRED,
    ("author", "handle"): REQUIRED,
    ("staff", 0, "handle"): REQUIRED,
    ("platform",): st.one_of(
        NOT_STRING, st.text(max_size=8).filter(lambda t: t not in PLATFORMS).map(_dumps)
    ),
    ("channel",): st.text(min_size=1, max_size=8).filter(lambda t: t not in CHANNELS).map(_dumps),
    ("created_at",): BAD_TIMES,
    ("author", "created_at"): BAD_TIMES,
    ("url",): NOT_STRING,
    ("reply_to",): NOT_STRING,
    ("edit_of",): NOT_STRING,
    ("author", "id"): NOT_STRING,
    ("author", "name"): NOT_STRING,
    ("author", "bio"): NOT_STRING,
    ("author",): NOT_OBJECT,
    ("author", "followers"): st.one_of(
        st.text(max_size=3).map(_dumps),
        st.floats().map(_dumps),
        st.booleans().map(_dumps),
        st.just("1e999999"),
    ),
    ("author", "verified"): st.one_of(
        st.text(max_size=3), st.integers(), st.lists(st.booleans(), max_size=1)
    ).map(_dumps),
    ("staff",): st.one_of(
        st.text(min_size=1, max_size=3),
        st.integers(min_value=1),
        st.just(True),
        st.dictionaries(st.just("handle"), st.text(), min_size=1),
    ).map(_dumps),
    ("staff", 0): NOT_OBJECT,
}
NOT_UTF8 = st.sampled_from(
    [b"\xff", b"\xfe", b"\xc3", b"\x80", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf5\x80\x80\x80"]
)


def _field_name(path: tuple[str | int, ...]) -> str:
    """How an error names a field: author.handle, staff[0].handle."""
    return ".".join(str(k) for k in path).replace(".0", "[0]")


@st.composite
def _inserted(draw: st.DrawFn, what: st.SearchStrategy[bytes]) -> bytes:
    """BASE with some bytes put in at any place."""
    line = _with(("extra",), "null")
    at = draw(st.integers(0, len(line)))
    return line[:at] + draw(what) + line[at:]


@st.composite
def _truncated(draw: st.DrawFn) -> bytes:
    line = _with(("extra",), "null")
    return line[: draw(st.integers(1, len(line) - 1))]


BAD_FAMILIES: list[st.SearchStrategy[Line]] = [
    st.builds(
        lambda n, c: Line(c * n, "bad", "nested"),
        st.integers(MAX_DEPTH + 1, 200_000),
        st.sampled_from([b"[", b'{"a":']),
    ),
    st.builds(
        lambda f, d, b: Line(_with(f, _nested(d, b)), "bad", "nested"),
        ANY_FIELD,
        st.integers(MAX_DEPTH, 6000),
        st.booleans(),
    ),
    st.builds(
        lambda f, n, sign: Line(_with(f, sign + "9" * n), "bad", "digits"),
        ANY_FIELD,
        st.integers(4301, 100_000),
        st.sampled_from(["", "-"]),
    ),
    st.sampled_from(list(WRONG)).flatmap(
        lambda f: WRONG[f].map(lambda raw: Line(_with(f, raw), "bad", f"'{_field_name(f)}'"))
    ),
    NOT_OBJECT.map(lambda raw: Line(raw.encode(), "bad", "must be a JSON object")),
    _inserted(NOT_UTF8).map(lambda data: Line(data, "bad", "not valid UTF-8")),
    _inserted(st.sampled_from([b"\x00", b"\x1b", b"\x07"])).map(
        lambda data: Line(data, "bad", "not valid JSON")
    ),
    # A byte order mark opens a file, not a line (the first line's one is dropped, so here two)
    st.just(Line(codecs.BOM_UTF8 * 2 + _with(("extra",), "null"), "bad", "not valid JSON")),
    _truncated().map(lambda data: Line(data, "bad", "not valid JSON")),
    st.integers(1, 3).map(
        lambda n: Line(
            _with(("text",), _dumps("a" * (MAX_TEXT + n))), "bad", f"the limit is {MAX_TEXT}"
        )
    ),
]
# Each family as likely as the next, whatever its size
BAD = st.sampled_from(BAD_FAMILIES).flatmap(lambda family: family)
BLANK = st.sampled_from([b"", b" ", b"\t \r"]).map(lambda data: Line(data, "blank"))
# Brackets in a text are not nesting: a post about them is read like any other.
GOOD_TEXTS = st.one_of(
    TEXTS.map(lambda text: text or "gm"),
    st.sampled_from(["[" * 100_000, "{" * 500 + "}" * 500, '"]]' * 200, "\\" * 300 + '"[[']),
)
# Raw JSON beside the post's fields: read, kept out of the way, never a reason to refuse the post.
EXTRAS = st.sampled_from(
    [
        "null",
        "1e999999",
        "NaN",
        "-Infinity",
        _nested(MAX_DEPTH - 1, True),
        _nested(MAX_DEPTH - 1, False),
        '"\\ud800\\u0000"',
        "9" * 4300,
    ]
)


@st.composite
def _good(draw: st.DrawFn) -> dict[str, Any]:
    """A well-formed post, its id left for _assembled to fill; lone surrogates are written as
    escapes, which is valid JSON, and become U+FFFD."""
    author: dict[str, Any] = {"handle": draw(st.sampled_from(["bob", "\ud800bob", "ok\u200bx", 7]))}
    if draw(st.booleans()):  # a naive author time beside an aware post time once crashed a detector
        author["created_at"] = draw(
            st.sampled_from(["2020-01-01T00:00:00", "2026-11-19T23:00:00+14:00"])
        )
        author["followers"] = draw(st.integers(0, 10**4200))
    return {
        "platform": draw(st.sampled_from(PLATFORMS)),
        "text": draw(GOOD_TEXTS),
        "author": author,
        "created_at": draw(st.sampled_from([None, "2026-11-20T08:00:00Z", "2026-11-20T08:00:00"])),
        "staff": draw(st.sampled_from([[], {}, 0, "", [{"handle": "mod"}]])),
        "extra": HOLE,
        "extra_raw": draw(EXTRAS),
    }


GOOD = _good()
# About 4 good lines, 5 bad and 1 blank in 10 (one_of would weigh each kind of bad line as much as
# all good lines together).
LINES = st.integers(0, 9).flatmap(lambda n: GOOD if n < 4 else BLANK if n == 4 else BAD)
FILE_LINES = st.lists(LINES, min_size=1, max_size=10)
EOLS = st.sampled_from([b"\n", b"\r\n"])


def _assembled(
    items: list[dict[str, Any] | Line], bom: bool, eol: bytes
) -> tuple[list[Line], bytes]:
    """The lines (each good post given the id g<line number>) and the file they make."""
    lines = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, Line):
            lines.append(item)
            continue
        obj = {k: v for k, v in item.items() if k != "extra_raw"} | {"id": f"g{number}"}
        data = json.dumps(obj).replace(json.dumps(HOLE), item["extra_raw"]).encode()
        lines.append(Line(data, "good", f"g{number}"))
    return lines, (codecs.BOM_UTF8 if bom else b"") + b"".join(line.data + eol for line in lines)


DEEP = f"nested more than {MAX_DEPTH} levels deep"
ISSUE = [
    Line(b"[" * 100_000, "bad", DEEP),
    Line(_with(("author",), _nested(5000, True)), "bad", DEEP),
]


@contextlib.contextmanager
def _stdin(data: bytes) -> Iterator[None]:
    """Bytes on stdin, as a pipe gives them."""
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        yield
    finally:
        sys.stdin = saved


def _scan_bytes(data: bytes, *args: str) -> tuple[int, str]:
    """`monitor scan -` over these bytes: exit code and stdout."""
    out = io.StringIO()
    with _stdin(data), contextlib.redirect_stdout(out):
        code = main(["scan", "-", *args])
    return code, out.getvalue()


def _check_answers(lines: list[Line], results: list[dict[str, Any]]) -> None:
    """Each line's answer, in order: a good post's result, a bad line's
    error, a blank line's mark."""
    assert len(results) == len(lines)
    for number, (line, result) in enumerate(zip(lines, results, strict=True), start=1):
        if line.kind == "good":
            assert result["id"] == line.expect and isinstance(result["findings"], list), result
        elif line.kind == "blank":
            assert result == {"id": None, "line": number, "blank": True}
        else:
            assert set(result) == {"id", "line", "error"} and result["line"] == number
            assert line.expect in result["error"], (line.expect, result["error"])
            assert "canary" not in result["error"] and len(result["error"]) < 200


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.data_too_large],
)
@given(
    st.one_of(
        BAD,
        st.sampled_from(list(WRONG)).flatmap(
            lambda f: WRONG[f].map(lambda raw: Line(_with(f, raw), "bad", f"'{_field_name(f)}'"))
        ),
    )
)
def test_every_hostile_line_is_one_post_error_naming_what_is_wrong(line: Line) -> None:
    text = next(decode_lines([line.data]))
    with pytest.raises(PostError) as raised:  # and no other exception
        parse_line(text)
    assert line.expect in str(raised.value) and "canary" not in str(raised.value)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(GOOD)
def test_every_good_line_is_read(item: dict[str, Any]) -> None:
    [line], _ = _assembled([item], False, b"\n")
    post = parse_line(next(decode_lines([line.data])))
    assert post.id == "g1" and post.text and "\ud800" not in post.author.handle + post.text


SLOW: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


@settings(max_examples=40, **SLOW)
@given(FILE_LINES, st.booleans(), EOLS)
@example(
    [
        *ISSUE,
        {
            "platform": "telegram",
            "text": "my password is Gr33n-Tea-41",
            "author": {"handle": "a"},
            "extra": HOLE,
            "extra_raw": "null",
        },
    ],
    False,
    b"\n",
)
def test_scan_answers_every_line_in_order_and_fails_iff_one_was_bad(
    items: list, bom: bool, eol: bytes
) -> None:
    lines, data = _assembled(items, bom, eol)
    code, out = _scan_bytes(data)
    assert out.endswith("\n")
    results = [json.loads(row) for row in out[:-1].split("\n")]
    _check_answers(lines, results)
    assert code == (1 if any(line.kind == "bad" for line in lines) else 0)
    for line, result in zip(lines, results, strict=True):  # good posts still get their findings
        if line.kind == "good" and b"Gr33n-Tea-41" in line.data:
            assert "secret_leak" in {f["kind"] for f in result["findings"]}
            assert "Gr33n-Tea-41" not in result["text_redacted"]


@settings(max_examples=20, **SLOW)
@given(FILE_LINES, st.booleans(), EOLS)
def test_scan_table_gives_one_terminal_line_per_input_line(
    items: list, bom: bool, eol: bytes
) -> None:
    lines, data = _assembled(items, bom, eol)
    code, out = _scan_bytes(data, "--format", "table")
    header, *rows = out.splitlines()  # every line break str knows: a post's text cannot forge a row
    assert header.split() == ["LINE", "ID", "TEXT", "FINDINGS"]
    assert len(rows) == len(lines) and out.endswith("\n")
    for number, (line, row) in enumerate(zip(lines, rows, strict=True), start=1):
        if line.kind == "good":
            assert row.startswith(f"{number:>5}  {line.expect[:19]}")
        elif line.kind == "bad":
            assert row.startswith(
                f"{number:>5}  -" + " " * 21 + "(not a post)" + " " * 38 + "  ERROR "
            )
        else:
            assert row == f"{number:>5}  -" + " " * 21 + "(blank)" + " " * 43 + "  -"
        assert "\x1b" not in row and (line.kind != "bad" or "canary" not in row)
    assert code == (1 if any(line.kind == "bad" for line in lines) else 0)


class _Records(logging.Handler):
    """Keeps every log record of the `monitor` loggers; an error also calls on_error."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.on_error: Callable[[], None] = lambda: None

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if record.levelno >= logging.ERROR:
            self.on_error()


@contextlib.contextmanager
def _logged() -> Iterator[_Records]:
    logger, handler = logging.getLogger("monitor"), _Records()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _replayed(data: bytes) -> tuple[Store, ReplayConnector, Ingest, list[logging.LogRecord]]:
    """The bytes as a file through `monitor run --replay`'s connector and daemon (dry run)."""
    store = Store(":memory:")
    ingest = Ingest(_pipeline(), store, dict(config.DEFAULT_MODES), dry_run=True)
    with tempfile.TemporaryDirectory() as folder, _logged() as logged:
        path = Path(folder) / "stream.jsonl"
        path.write_bytes(data)
        connector = ReplayConnector(path, store)
        asyncio.run(_until_done_or_error(connector, ingest, logged))
    return store, connector, ingest, logged.records


async def _until_done_or_error(
    connector: ReplayConnector, ingest: Ingest, logged: _Records
) -> None:
    """The daemon over the replay until its end; a logged error (a connector that crashed would be
    restarted again and again) stops it at once, for the test to name."""
    stop = asyncio.Event()
    logged.on_error = stop.set
    await asyncio.wait_for(daemon.run([connector], ingest, stop), timeout=300)


@settings(max_examples=40, **SLOW)
@given(FILE_LINES, st.booleans(), EOLS)
@example(ISSUE, False, b"\n")
def test_replay_stores_every_good_post_and_skips_each_bad_line_once(
    items: list, bom: bool, eol: bytes
) -> None:
    lines, data = _assembled(items, bom, eol)
    store, connector, ingest, records = _replayed(data)
    messages = [r.getMessage() for r in records]
    skipped = [
        int(m.group(1))
        for text in messages
        if (m := re.search(r"stream\.jsonl line (\d+) skipped", text))
    ]
    bad = [n for n, line in enumerate(lines, start=1) if line.kind == "bad"]
    assert sorted(skipped) == bad and connector.errors == len(bad)
    for number in bad:
        [message] = [text for text in messages if f"line {number} skipped" in text]
        assert lines[number - 1].expect in message
    good = [line for line in lines if line.kind == "good"]
    stored = {row["id"] for row in store.db["posts"].rows}
    assert stored == {line.expect for line in good}
    assert ingest.metrics.restarts.get("replay") == 0 and not any(
        "crashed" in text for text in messages
    )
    assert not any("canary" in text for text in messages)


def test_the_issue_lines_through_a_real_monitor_scan_process() -> None:
    good = json.dumps({"id": "1", "platform": "x", "text": "gm", "author": {"handle": "a"}})
    good = good.replace('"x"', '"twitter"').encode()
    data = good + b"\n" + b"\n".join(line.data for line in ISSUE) + b"\n\n" + good + b"\n"
    run = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "scan", "-"],
        input=data,
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    rows = [json.loads(row) for row in run.stdout.decode().splitlines()]
    assert run.returncode == 1, run.stderr.decode()[-2000:]
    assert [row.get("error") or row.get("blank") or row["id"] for row in rows] == [
        "1",
        ISSUE[0].expect,
        ISSUE[1].expect,
        True,
        "1",
    ]


def test_a_line_over_the_size_limit_is_one_error_and_the_next_line_is_read() -> None:
    huge = _with(("text",), _dumps("a" * 10)).replace(b"a" * 10, b"a" * MAX_LINE)
    code, out = _scan_bytes(huge + b"\n" + _with(("extra",), "null") + b"\n")
    [first, second] = [json.loads(row) for row in out.splitlines()]
    assert code == 1 and first["error"].endswith(f"the limit is {MAX_LINE}")
    assert second["id"] == "b" and any(f["kind"] == "secret_leak" for f in second["findings"])


def test_eval_passes_over_blank_lines_and_counts_hostile_ones_as_malformed(tmp_path: Path) -> None:
    good = json.loads(_with(("extra",), "null")) | {
        "expected": [{"kind": "secret_leak", "label": "password"}]
    }
    data = (
        b"\n".join(
            [
                json.dumps(good).encode(),
                b"",
                ISSUE[0].data,
                b" \t",
                b"\xff" + json.dumps(good).encode(),
                ISSUE[1].data,
                json.dumps(good | {"id": "c"}).encode(),
            ]
        )
        + b"\n"
    )
    (tmp_path / "gold.jsonl").write_bytes(data)
    out = io.StringIO()
    assert run_eval(tmp_path / "gold.jsonl", config.load(None), False, True, out) == 1
    report = json.loads(out.getvalue())
    assert report["posts"] == 2 and report["kinds"]["secret_leak"]["tp"] == 2
    assert [(m["line"], m["error"]) for m in report["malformed"]] == [
        (3, DEEP),
        (5, "not valid UTF-8 at column 1"),
        (6, DEEP),
    ]


class _Exploding:
    """A detector with a bug that one word sets off."""

    kind = "support_request"
    name = "exploding"

    def check(self, post: Post) -> list[Finding]:
        if "BOOM" in post.text:
            # the text must not reach the output
            raise RuntimeError(f"detector bug on {post.text!r}")
        return []


def test_a_post_that_breaks_a_detector_gets_its_own_error_line_and_the_others_their_results() -> (
    None
):
    base = _pipeline()
    pipeline = Pipeline(
        base.secrets, [*base.detectors, _Exploding()], base.templates, base.thresholds
    )
    posts = [
        json.dumps({"id": str(i), "platform": "telegram", "text": text, "author": {"handle": "a"}})
        for i, text in enumerate(
            ["gm", "BOOM my password is Gr33n-Tea-41", "my password is Gr33n-Tea-41"]
        )
    ]
    results = list(scan_lines([*posts, "", "[" * 1000], pipeline))
    assert [r.get("id") for r in results] == ["0", None, "2", None, None]
    assert results[1] == {"id": None, "line": 2, "error": "not processed (RuntimeError)"}
    assert [f["label"] for f in results[2]["findings"] if f["kind"] == "secret_leak"] == [
        "password"
    ]
    assert results[3]["blank"] and results[4]["error"] == DEEP
