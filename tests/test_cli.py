"""CLI: scan output and errors, replay runs with restarts, and the demo
leaving no raw secret behind."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import random
import re
import shlex
import sys
from pathlib import Path
from types import ModuleType

import pytest

from monitor.cli.entry import main
from monitor.cli.running import DEMO_STREAM
from monitor.store import Store

ROOT = Path(__file__).resolve().parent.parent
NOT_SECRETS = {"txid", "txid_eth", "txid_trx", "eth_addr", "sol_sig"}  # public values in the stream
LEAK = ('{"id": "7", "platform": "telegram", "channel": "group", '
        '"text": "my password is Gr33n-Tea-41 help", "author": {"handle": "bob"}}')


def _scan(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, text: str,
          *args: str, code: int = 0) -> list[dict]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert main(["scan", "-", *args]) == code
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_scan_reports_redacts_and_keeps_order(capsys, monkeypatch) -> None:
    ordinary = ('{"id": "8", "platform": "reddit", "text": "gm, nice rally today", '
                '"author": {"handle": "amy"}}')
    [first, second] = _scan(capsys, monkeypatch, LEAK + "\n" + ordinary + "\n")
    assert first["id"] == "7" and second == {"id": "8", "findings": [],
                                             "text_redacted": "gm, nice rally today"}
    leaks = [f for f in first["findings"] if f["kind"] == "secret_leak"]
    assert [f["label"] for f in leaks] == ["password"] and 0.5 <= leaks[0]["score"] <= 1.0
    assert "Gr33n-Tea-41" not in json.dumps(first)
    assert first["text_redacted"] == "my password is [password removed] help"


def test_scan_malformed_lines_give_errors_and_scanning_goes_on(capsys, monkeypatch) -> None:
    lines = ("{broken\n" + '{"id": "1", "platform": "x", "text": "t", "author": {"handle": "a"}}\n'
             + LEAK + "\n")
    results = _scan(capsys, monkeypatch, lines, code=1)
    assert results[0] == {"id": None, "line": 1, "error": results[0]["error"]}
    assert "not valid JSON" in results[0]["error"]
    assert (results[1]["id"] is None and results[1]["line"] == 2
            and "platform" in results[1]["error"])
    assert results[2]["id"] == "7"


def test_scan_many_chunks_keeps_order_and_each_post_scores_as_if_alone(capsys, monkeypatch) -> None:
    """Chunks started ahead while MiniLM works in its own process still come out in input order, and
    a post's result does not depend on the posts batched with it."""
    from monitor.cli.scanning import scan_result
    from monitor.core import config
    from monitor.core.pipeline import BATCH, Pipeline
    from monitor.core.postjson import parse_line

    texts = ["my withdrawal is still pending after 2 days, please help", "gm all",
             "kyc keeps failing", "my deposit on TRC20 hasn't arrived yet, can someone check?",
             "wen airdrop"]
    lines = [json.dumps({"id": str(i), "platform": "reddit", "text": f"{texts[i % 5]} #{i}",
                         "author": {"handle": "amy"}}) for i in range(BATCH * 2 + 7)]
    lines[70] = "{broken"
    results = _scan(capsys, monkeypatch, "\n".join(lines) + "\n", code=1)
    assert [r["id"] for r in results] == [None if i == 70 else str(i) for i in range(len(lines))]
    assert results[70]["line"] == 71
    pipeline = Pipeline.from_settings(config.load(None), b"unused: these posts hold no secrets")
    for i in (0, 3, 65, 133):
        assert results[i] == scan_result(pipeline.process(parse_line(lines[i])))
    assert any(f["evidence"].find("MiniLM") > 0
               for r in results if "findings" in r for f in r["findings"])


def test_scan_table_format(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(LEAK + "\n"))
    assert main(["scan", "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "secret_leak/password" in out and "Gr33n" not in out


def test_scan_table_has_a_header_and_aligned_columns(capsys, monkeypatch) -> None:
    wide = ('{"id": "tw-1005", "platform": "twitter", "author": {"handle": "a"}, '
            '"text": "@okx 提币到另一个交易所已经三个小时了还显示处理中，怎么办 👋"}')
    long_id = ('{"id": "1234567890123456789012345", "platform": "reddit", '
               '"author": {"handle": "a"}, "text": "gm\\u001b[2J"}')
    lines = (LEAK, "", "{bad", wide, long_id)
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in lines)))
    assert main(["scan", "--format", "table"]) == 1
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["LINE", "ID", "TEXT", "FINDINGS"] and len(rows) == 5
    assert [row.split()[0] for row in rows] == ["1", "2", "3", "4", "5"]
    from monitor.cli.scan import _cells

    def cells(text: str) -> int:  # terminal columns: a CJK character or an emoji takes two
        return sum(_cells(c) for c in text)

    starts = [header.index(name) for name in ("ID", "TEXT", "FINDINGS")]
    for row in rows:  # every column starts where its header does, whatever the text's script
        number, post_id, text, findings = re.split(r" {2,}", row.strip())
        assert row.startswith(f"{number:>5}  ")
        at = [row.index(post_id, 7), row.index(text, 7 + 20), len(row) - len(findings)]
        assert [cells(row[:i]) for i in at] == starts, row
    # findings last, never cut
    assert re.search(r"  secret_leak/password [01]\.\d\d(, |$)", rows[0])
    assert "Gr33n" not in rows[0] and "[password removed]" in rows[0]
    assert rows[1].split() == ["2", "-", "(blank)", "-"]
    assert re.split(r" {2,}", rows[2].strip())[:3] == ["3", "-", "(not a post)"]
    assert rows[2].endswith("  ERROR not valid JSON: Expecting property name enclosed in "
                            "double quotes at column 2")
    assert "提币" in rows[3] and "…" in rows[3]  # cut to its column, by terminal cells
    assert "12345678901234567890" not in rows[4] and "1234567890123456789…" in rows[4]
    assert "\x1b" not in rows[4]


def _no_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a pipeline (and with it a model) is built."""
    from monitor.core.pipeline import Pipeline

    def refuse(*_: object) -> None:
        raise AssertionError("a model was loaded before the input was checked")

    monkeypatch.setattr(Pipeline, "from_settings", refuse)


def test_scan_missing_file_is_a_clear_error(capsys, monkeypatch, tmp_path: Path) -> None:
    _no_models(monkeypatch)
    assert main(["scan", str(tmp_path / "nope.jsonl")]) == 2
    assert "nope.jsonl: No such file" in capsys.readouterr().err


def test_scan_unreadable_input_is_answered_before_any_model_loads(
    capsys, monkeypatch, tmp_path
) -> None:
    _no_models(monkeypatch)
    assert main(["scan", str(tmp_path)]) == 2  # a folder: open() fails whoever runs the test
    assert "Is a directory" in capsys.readouterr().err
    locked = tmp_path / "locked.jsonl"
    locked.write_text(LEAK + "\n", encoding="utf-8")
    locked.chmod(0)
    if not os.access(locked, os.R_OK):  # root reads it anyway
        assert main(["scan", str(locked)]) == 2
        assert "locked.jsonl: Permission denied" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["", "\n  \n\n"])
def test_scan_empty_input_says_so_before_any_model_loads(
    capsys, monkeypatch, tmp_path, text
) -> None:
    _no_models(monkeypatch)
    empty = tmp_path / "empty.jsonl"
    empty.write_text(text, encoding="utf-8")
    assert main(["scan", str(empty)]) == 0
    out = capsys.readouterr()
    blanks = [json.loads(line) for line in out.out.splitlines()]  # one answer per line, as ever
    assert blanks == [{"id": None, "line": n, "blank": True}
                      for n in range(1, text.count("\n") + 1)]
    assert "empty.jsonl: nothing to scan" in out.err
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert main(["scan", "-"]) == 0
    assert "standard input: nothing to scan" in capsys.readouterr().err


def test_scan_keeps_line_numbers_after_leading_blank_lines(capsys, monkeypatch) -> None:
    *blanks, result = _scan(capsys, monkeypatch, "\n\n{broken\n", code=1)
    assert [b["line"] for b in blanks] == [1, 2] and result["line"] == 3 and "error" in result


def test_run_replay_restart_neither_misses_nor_repeats(tmp_path: Path, capsys) -> None:
    lines = DEMO_STREAM.read_text(encoding="utf-8").splitlines()
    replay, db, outbox = tmp_path / "s.jsonl", tmp_path / "m.db", tmp_path / "outbox.jsonl"
    replay.write_text("\n".join(lines[:20]) + "\n", encoding="utf-8")
    base = ["run", "--replay", str(replay), "--db", str(db), "--outbox", str(outbox)]
    assert main(base) == 0
    replay.write_text("\n".join(lines) + "\n", encoding="utf-8")  # the stream grew meanwhile
    assert main(base) == 0
    assert main(base) == 0  # nothing new: nothing stored or sent again
    store = Store(db)
    assert store.db["posts"].count == len(lines)
    sent = [r for r in store.actions("sent")]
    assert len(outbox.read_text(encoding="utf-8").splitlines()) == len(sent)
    keys = [(r["platform"], r["post_id"], r["kind"]) for r in store.db["actions"].rows]
    assert len(keys) == len(set(keys))


def test_run_without_a_source_fails_with_one_line(capsys) -> None:
    assert main(["run"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def _demo_secrets() -> dict[str, str]:
    """The raw secrets the demo generator put in the stream, made again from its seed."""
    spec = importlib.util.spec_from_file_location("make_stream", ROOT / "tools" / "make_stream.py")
    assert spec and spec.loader
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    made = module.make_secrets(random.Random(module.SEED))
    return {k: v for k, v in made.items() if k not in NOT_SECRETS}


def _leak_patterns(secret: str) -> list[re.Pattern[str]]:
    """Patterns that would find a secret or a telling piece of it in any layout."""
    words = re.split(r"[\s,]+", secret) if re.search(r"[\s,]", secret) else []
    if len(words) >= 12:  # a phrase: any three consecutive words, whatever separates them
        return [re.compile(r"[\W\d]*".join(map(re.escape, words[i:i + 3])))
                for i in range(len(words) - 2)]
    if re.fullmatch(r"[\u4e00-\u9fff]{12,}", secret):  # Chinese without spaces
        return [re.compile(re.escape(secret[i:i + 4])) for i in range(len(secret) - 3)]
    if re.fullmatch(r"\d{6}", secret):  # a one-time code: only next to its context
        return [re.compile(r"(?:code|码)\D{0,30}" + r"\s?".join(secret))]
    return [re.compile(re.escape(secret[i:i + 10])) for i in range(0, max(1, len(secret) - 9), 3)]


def test_demo_leaves_no_raw_secret_in_db_report_or_logs(tmp_path: Path, capsys) -> None:
    secrets = _demo_secrets()
    stream = "\n".join(json.loads(line)["text"]
                       for line in DEMO_STREAM.read_text(encoding="utf-8").splitlines())
    for name, secret in secrets.items():  # the patterns do find each secret where it is
        assert any(p.search(stream) for p in _leak_patterns(secret)), name
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "report:" in out.out
    store = Store(tmp_path / "monitor.db")
    dumped = "\n".join(json.dumps(list(r), ensure_ascii=False) for t in store.db.table_names()
                       for r in store.db.execute(f"SELECT * FROM [{t}]").fetchall())
    for main_fmt in ("md", "csv", "json"):
        assert main(["report", "--db", str(tmp_path / "monitor.db"), "--format", main_fmt]) == 0
    places = {
        "database": dumped,
        "report": (tmp_path / "report.html").read_text(encoding="utf-8") + capsys.readouterr().out,
        "logs": (tmp_path / "monitor.log").read_text(encoding="utf-8") + out.err + out.out,
    }
    for name, secret in secrets.items():
        for place, text in places.items():
            assert not any(p.search(text) for p in _leak_patterns(secret)), (
                f"{name} found in {place}")
    assert store.db["findings"].count > 0


def test_version_prints_the_installed_package_version(capsys) -> None:
    from importlib import metadata

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out == f"monitor {metadata.version('support-monitor')}\n"
    assert re.fullmatch(r"monitor \d+\.\d+\.\d+\S*\n", out)


def test_the_readme_scan_example_prints_what_the_readme_shows(capsys, monkeypatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [command] = re.findall(r"^echo '(.*hunter22.*)' \| monitor scan$", readme, re.MULTILINE)
    section = readme[readme.index("### `monitor scan` output"):]
    start = section.index("```json\n") + len("```json\n")
    shown = section[start:section.index("\n```", start)]
    [result] = _scan(capsys, monkeypatch, command + "\n")
    assert result == json.loads(shown)
    # byte for byte, as the command prints it
    assert json.dumps(result, ensure_ascii=False) == shown


def test_the_readme_verify_examples_answer_as_their_comments_say(
    capsys, monkeypatch, tmp_path
) -> None:
    """Each `monitor verify ...  # VERDICT ...` line of the README's examples: the answers'
    headlines in order, the exit code and what the comment says the answer names."""
    monkeypatch.chdir(tmp_path)  # no monitor.db here: no campaign memory in the answer
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"^monitor verify (.+?)\s+# (.+)$", readme, re.MULTILINE)
    assert len(examples) >= 5
    for args, comment in examples:
        code = main(["verify", *shlex.split(args)])
        out = capsys.readouterr().out
        headlines = [block.split(":")[0] for block in out.strip().split("\n\n")]
        assert headlines == re.findall(r"NOT OFFICIAL|SUSPICIOUS|OFFICIAL", comment), args
        assert code == (3 if "SUSPICIOUS" in headlines else 0 if "OFFICIAL" in headlines else 1)
        if exit_code := re.search(r"exit (\d)", comment):
            assert code == int(exit_code.group(1)), args
        if "names live chat" in comment:
            assert "live chat at https://www.okx.com/help" in out, args
