"""Tests for monitor.evaluate: pure scoring, the `expected` reader, run_eval over a tiny file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from monitor.cli.evaluate import Counts, Record, lang_bucket, parse_expected, run_eval, score
from monitor.core.config import Settings
from monitor.core.pipeline import BATCH
from monitor.core.postjson import PostError


def rec(
    expected: set[tuple[str, str | None]],
    predicted: set[tuple[str, str]],
    lang: str = "en",
    topic: str | None = None,
) -> Record:
    """A record from plain sets."""
    return Record(frozenset(expected), frozenset(predicted), lang, topic)


def test_counts_rates_and_undefined_precision() -> None:
    c = Counts()
    for expected, predicted in [(True, True), (True, False), (False, True), (False, False)]:
        c.add(expected, predicted)
    assert c.as_dict() == {
        "tp": 1,
        "fp": 1,
        "fn": 1,
        "tn": 1,
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
    }
    none_flagged = Counts(fn=3).as_dict()
    assert (
        none_flagged["precision"] is None
        and none_flagged["recall"] == 0.0
        and none_flagged["f1"] is None
    )


def test_score_per_kind_is_post_level() -> None:
    records = [
        rec({("secret_leak", "password")}, {("secret_leak", "token"), ("secret_leak", "password")}),
        rec({("secret_leak", "seed_phrase")}, set()),
        rec(set(), {("secret_leak", "token")}),
        rec(set(), set()),
    ]
    kinds = score(records).kinds
    assert (kinds["secret_leak"].tp, kinds["secret_leak"].fn, kinds["secret_leak"].fp) == (1, 1, 1)
    assert kinds["secret_leak"].tn == 1
    assert kinds["impersonation"].as_dict()["tn"] == 4  # every kind is reported, even when unused


def test_score_per_label_counts_posts_that_never_mention_the_label() -> None:
    records = [rec(set(), set()), rec({("secret_leak", "token")}, {("secret_leak", "token")})]
    token = score(records).labels[("secret_leak", "token")]
    assert (token.tp, token.tn) == (1, 1)


def test_label_less_expectation_counts_for_the_kind_but_not_per_label() -> None:
    records = [rec({("support_request", None)}, {("support_request", "withdrawal")})]
    scores = score(records)
    assert scores.kinds["support_request"].tp == 1
    assert scores.labels[("support_request", "withdrawal")].as_dict()["fp"] == 0


def test_score_by_language_and_topic_accuracy() -> None:
    records = [
        rec(
            {("support_request", "withdrawal")},
            {("support_request", "withdrawal")},
            "zh",
            "withdrawal",
        ),
        rec({("support_request", "deposit")}, {("support_request", "login")}, "en", "login"),
        rec(
            {("support_request", None)}, {("support_request", "kyc")}, "en", "kyc"
        ),  # topic unknown
        rec({("support_request", "kyc")}, set(), "other"),  # a miss is not a topic error
    ]
    scores = score(records)
    assert (scores.topic_correct, scores.topic_total) == (1, 2)
    assert scores.by_lang[("support_request", "zh")].tp == 1
    assert scores.by_lang[("support_request", "other")].fn == 1
    assert scores.langs == {"en": 2, "zh": 1, "other": 1}


def test_lang_bucket() -> None:
    assert (
        lang_bucket("where is my deposit"),
        lang_bucket("我的提币还没到账"),
        lang_bucket("こんにちは"),
    ) == ("en", "zh", "other")


def test_parse_expected_accepts_missing_or_null_label() -> None:
    obj = {
        "expected": [
            {"kind": "impersonation"},
            {"kind": "secret_leak", "label": None},
            {"kind": "support_request", "label": "kyc"},
        ]
    }
    assert parse_expected(obj) == {
        ("impersonation", None),
        ("secret_leak", None),
        ("support_request", "kyc"),
    }


@pytest.mark.parametrize(
    "obj, field",
    [
        ({}, "'expected'"),
        ({"expected": [{"label": "kyc"}]}, "expected[0].kind"),
        ({"expected": [{"kind": "support_request", "label": 3}]}, "expected[0].label"),
    ],
)
def test_parse_expected_names_the_bad_field(obj: dict[str, object], field: str) -> None:
    with pytest.raises(PostError, match=field.replace("[", r"\[").replace("]", r"\]")):
        parse_expected(obj)


def write_lines(path: Path, objs: list[object]) -> Path:
    """A JSON lines file; str items are written as they are (for malformed lines)."""
    path.write_text(
        "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objs) + "\n", "utf-8"
    )
    return path


def line(pid: str, text: str, expected: list[dict[str, str]]) -> dict[str, object]:
    """One labelled Post JSON object."""
    return {
        "id": pid,
        "platform": "telegram",
        "text": text,
        "author": {"handle": "bob"},
        "expected": expected,
    }


def test_run_eval_scores_through_the_pipeline_and_reports_bad_lines(
    tmp_path: Path, settings: Settings
) -> None:
    path = write_lines(
        tmp_path / "gold.jsonl",
        [
            line("1", "my password is hunter22", [{"kind": "secret_leak", "label": "password"}]),
            line("2", "lovely weather in the park today", []),
            "{not json",
            {
                "id": "4",
                "platform": "telegram",
                "text": "no expected field",
                "author": {"handle": "x"},
            },
        ],
    )
    out = io.StringIO()
    assert run_eval(path, settings, progress=False, as_json=True, out=out) == 1
    report = json.loads(out.getvalue())
    assert report["posts"] == 2
    assert [m["line"] for m in report["malformed"]] == [3, 4]
    assert report["kinds"]["secret_leak"]["tp"] == 1
    assert report["kinds"]["secret_leak"]["fp"] == 0


def test_run_eval_over_many_chunks_counts_every_line_once(
    tmp_path: Path, settings: Settings
) -> None:
    """Chunks started ahead of the one being scored: every post
    counted once, bad lines by number."""
    request = [{"kind": "support_request", "label": "withdrawal"}]
    objs: list[object] = [
        line(str(i), f"my withdrawal #{i} is stuck for 3 days, please help", request)
        if i % 2
        else line(str(i), f"gm everyone, day {i} of the bull run", [])
        for i in range(BATCH * 3)
    ]
    objs[5], objs[BATCH + 9] = "{bad", "[]"
    out = io.StringIO()
    run_eval(write_lines(tmp_path / "gold.jsonl", objs), settings, False, True, out)
    report = json.loads(out.getvalue())
    assert report["posts"] == BATCH * 3 - 2
    assert [m["line"] for m in report["malformed"]] == [6, BATCH + 10]
    counts = report["kinds"]["support_request"]
    assert counts["tp"] + counts["fn"] == sum(
        1 for i in range(BATCH * 3) if i % 2 and i not in (5, BATCH + 9)
    )
    assert counts["tp"] >= 0.9 * (counts["tp"] + counts["fn"])


def test_run_eval_reads_a_reply_to_a_help_request_as_the_daemon_does(
    tmp_path: Path, settings: Settings
) -> None:
    """A bare "dm me" flags only under a help request: in the same chunk or in an earlier one."""
    scam = [{"kind": "impersonation", "label": None}]
    request = line("q1", "my withdrawal has been stuck for 3 days, please help", [])
    filler = [line(f"f{i}", f"gm everyone, day {i} of the bull run", []) for i in range(BATCH)]
    replies = [{**line(pid, "dm me", scam), "reply_to": "q1"} for pid in ("r1", "r2")]
    objs = [request, replies[0], *filler, replies[1]]  # the second reply lands in the next chunk
    out = io.StringIO()
    run_eval(write_lines(tmp_path / "gold.jsonl", objs), settings, False, True, out)
    counts = json.loads(out.getvalue())["kinds"]["impersonation"]
    assert (counts["tp"], counts["fn"], counts["fp"]) == (2, 0, 0)


def test_run_eval_table_output_and_clean_exit(tmp_path: Path, settings: Settings) -> None:
    path = write_lines(tmp_path / "gold.jsonl", [line("1", "我今天很开心", [])])
    out = io.StringIO()
    assert run_eval(path, settings, progress=False, as_json=False, out=out) == 0
    text = out.getvalue()
    assert text.startswith("posts 1 (en 0, zh 1, other 0); malformed lines 0")
    assert "secret_leak" in text and "support topic accuracy" in text


def test_run_eval_missing_file(tmp_path: Path, settings: Settings) -> None:
    assert run_eval(tmp_path / "nope.jsonl", settings, False, False, io.StringIO()) == 2


def test_run_eval_empty_file_is_answered_before_any_model_loads(
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from monitor.core.pipeline import Pipeline

    monkeypatch.setattr(Pipeline, "from_settings", lambda *_: pytest.fail("a model was loaded"))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    assert run_eval(empty, settings, False, False, io.StringIO()) == 0
    assert "nothing to evaluate" in capsys.readouterr().err


def test_no_member_answer_in_the_demo_stream_is_read_as_a_request(settings: Settings) -> None:
    """No reply in the demo stream that is not itself a request (members answering, thanking or
    commiserating; six were flagged with the model before issue 26) gets a support finding, and no
    fewer requests are found than then (36)."""
    from monitor.cli.running import DEMO_STREAM
    from monitor.core import pipeline
    from monitor.core.postjson import parse_line

    lines = DEMO_STREAM.read_text(encoding="utf-8").splitlines()
    results = pipeline.Pipeline.from_settings(settings, b"demo").process_many(
        [parse_line(line) for line in lines]
    )
    expected = [{e["kind"] for e in json.loads(line).get("expected", [])} for line in lines]
    flagged = [any(f.kind == "support_request" for f in r.findings) for r in results]
    answers = [
        r.post.id
        for r, e, f in zip(results, expected, flagged)
        if r.post.reply_to and f and "support_request" not in e
    ]
    assert answers == []
    assert sum(f and "support_request" in e for e, f in zip(expected, flagged)) >= 36


def test_the_demo_streams_support_flags_are_all_requests(settings: Settings) -> None:
    """No post in the demo stream that asks for nothing is read as a support request (a member's own
    question about a pasted phrase was, while its redaction took 助记词's 词 with the phrase)."""
    from monitor.cli.running import DEMO_STREAM

    out = io.StringIO()
    assert run_eval(DEMO_STREAM, settings, False, True, out) == 0
    support = json.loads(out.getvalue())["kinds"]["support_request"]
    assert support["fp"] == 0 and support["tp"] >= 36
