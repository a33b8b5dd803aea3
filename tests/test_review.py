"""Review queue: decisions with who and when, held actions, precision per detector, export."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flagged_items import sample

from monitor.cli.entry import main
from monitor.cli.evaluate import parse_expected
from monitor.core.postjson import parse_post
from monitor.desk import review
from monitor.store import Store


def _actions(store: Store, post_id: str) -> dict[str, str]:
    return {a["kind"]: a["status"]
            for a in store.db["actions"].rows_where("post_id = ?", [post_id])}


def test_decisions_are_stored_with_who_and_when(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    row = review.decide(store, ids["leak"][0], "confirm", "alice", "real leak")
    assert row["status"] == "confirmed"
    [decision] = row["reviews"]
    assert (decision["decision"], decision["who"], decision["note"]) == (
        "confirmed", "alice", "real leak")
    assert datetime.fromisoformat(decision["at"]) <= datetime.now(UTC)
    audit = list(store.db["audit"].rows)
    assert [(a["who"], a["action"]) for a in audit] == [("alice", "review:confirmed")]


def test_dismissing_skips_the_held_actions_it_caused(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    review.decide(store, ids["imp"][0], "dismiss", "alice")
    assert _actions(store, "1") == {"reply": "skipped", "alert": "sent", "report": "skipped"}
    actions = [a["action"] for a in store.db["audit"].rows]
    assert actions == ["review:false_positive", "action:skip", "action:skip"]


def test_a_held_action_stays_while_another_finding_of_its_kind_stands(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    first, second = ids["two"]
    review.decide(store, first, "dismiss", "alice")
    assert _actions(store, "4") == {"reply": "held"}
    review.decide(store, second, "dismiss", "alice")
    assert _actions(store, "4") == {"reply": "skipped"}


def test_approve_releases_a_held_action_once(tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")
    [held] = [a for a in store.actions("held") if a["post_id"] == "3"]
    action = review.approve(store, held["id"], "bob")
    assert action["status"] == "planned"
    audit = list(store.db["audit"].rows)[-1]
    assert (audit["who"], audit["action"], json.loads(audit["detail"])) == (
        "bob", "approve:reply", {"action_id": held["id"]})
    with pytest.raises(review.ReviewError, match="is planned, not held"):
        review.approve(store, held["id"], "bob")
    with pytest.raises(review.ReviewError, match="no action with id 999"):
        review.approve(store, 999, "bob")


def test_bad_decisions_are_refused_with_a_reason(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    with pytest.raises(review.ReviewError, match="unknown decision 'approve'"):
        review.decide(store, ids["imp"][0], "approve", "alice")
    with pytest.raises(review.ReviewError, match="no finding with id 999"):
        review.decide(store, 999, "confirm", "alice")
    with pytest.raises(review.ReviewError, match="reviewer name"):
        review.decide(store, ids["imp"][0], "confirm", "  ")
    assert store.db["reviews"].count == 0


def test_precision_counts_each_findings_latest_decision_in_the_window(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    review.decide(store, ids["imp"][0], "dismiss", "alice")
    review.decide(store, ids["imp"][0], "confirm", "bob")  # changed mind: counts once, as confirmed
    review.decide(store, ids["evil"][0], "dismiss", "alice")
    review.decide(store, ids["leak"][0], "resolve", "alice")
    figures = {(p.detector, p.kind): p
               for p in review.precision(store, "2000-01-01T00:00:00+00:00")}
    imp = figures[("impersonation", "impersonation")]
    assert (imp.confirmed, imp.dismissed, imp.precision) == (1, 1, 0.5)
    assert figures[("secrets", "secret_leak")].precision == 1.0
    assert review.format_precision(imp) == "impersonation: 1 confirmed, 1 dismissed, precision 0.50"
    assert review.precision(store, "2999-01-01T00:00:00+00:00") == []


def test_queue_filters_by_status_and_kind(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    review.decide(store, ids["leak"][0], "confirm", "alice")
    new = review.queue(store)
    assert ids["leak"][0] not in [r["id"] for r in new] and len(new) == 5
    assert [r["id"] for r in review.queue(store, ("new",), kind="impersonation")] == [
        ids["evil"][0], ids["imp"][0]]
    assert len(review.queue(store, (), limit=2)) == 2


def test_export_gives_labelled_posts_that_eval_reads(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    first, second = ids["two"]
    review.decide(store, first, "dismiss", "alice")
    review.decide(store, second, "confirm", "alice")
    review.decide(store, ids["imp"][0], "dismiss", "alice")
    exported = list(review.export_dismissed(store))
    assert [e["id"] for e in exported] == ["4", "1"]
    two = exported[0]
    assert two["expected"] == [{"kind": "secret_leak", "label": "api_key"}]
    assert [d["label"] for d in two["dismissed"]] == ["password"]
    for obj in exported:  # the same reader `monitor eval` uses
        post = parse_post(json.loads(json.dumps(obj)))
        assert post.text == obj["text"] and parse_expected(obj) is not None


def test_parse_since_accepts_spans_and_dates() -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert review.parse_since("7d", now) == "2026-11-14T12:00:00+00:00"
    assert review.parse_since("36h", now) == "2026-11-20T00:00:00+00:00"
    assert review.parse_since("2026-11-01") == "2026-11-01T00:00:00+00:00"
    assert review.parse_since("2026-11-01T08:00:00+08:00") == "2026-11-01T00:00:00+00:00"
    with pytest.raises(review.ReviewError, match="use a span like 7d"):
        review.parse_since("last week")


def test_plain_keeps_escape_sequences_out_of_the_terminal() -> None:
    assert review.plain("hi\x1b[2J\x1b]0;pwned\x07 there\u202egnp.exe") == (
        "hi?[2J?]0;pwned? there?gnp.exe")
    assert review.plain("line one\nline two", 10) == "line one …"


def test_cli_review_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    store, ids = sample(tmp_path / "m.db")
    store.close()
    db = ["--db", str(tmp_path / "m.db")]
    monkeypatch.setenv("USER", "carol")
    assert main(["review", "confirm", str(ids["leak"][0]), *db]) == 0
    assert main(["review", "dismiss", str(ids["imp"][0]), *db, "--who", "dan",
                 "--note", "our partner"]) == 0
    assert main(["review", "list", *db]) == 0
    out = capsys.readouterr().out
    assert ("finding 1: false_positive by dan" in out
            and f"finding {ids['leak'][0]}: confirmed by carol" in out)
    assert "# impersonation: 0 confirmed, 1 dismissed, precision 0.00 (last 7 days)" in out
    assert "window.__pwned" in out and "\n" not in review.format_line(
        Store(tmp_path / "m.db").flagged()[0])
    assert main(["review", "show", str(ids["imp"][0]), *db]) == 0
    shown = capsys.readouterr().out
    assert ("decision" in shown and "false_positive by dan: our partner" in shown
            and "#1 reply skipped" in shown)
    assert main(["review", "stats", *db]) == 0
    assert ("secret_leak (secrets): 1 confirmed, 0 dismissed, precision 1.00"
            in capsys.readouterr().out)
    assert main(["review", "export", *db, "--output", str(tmp_path / "fp.jsonl")]) == 0
    assert json.loads((tmp_path / "fp.jsonl").read_text(encoding="utf-8"))["id"] == "1"


def test_cli_review_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample(tmp_path / "m.db")[0].close()
    db = ["--db", str(tmp_path / "m.db")]
    assert main(["review", "show", "999", *db]) == 2
    assert main(["review", "approve", "999", *db, "--who", "x"]) == 2
    assert main(["review", "list", "--status", "open", *db]) == 2
    assert main(["review", "list", "--db", str(tmp_path / "none.db")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["monitor: error: no finding with id 999",
                   "monitor: error: no action with id 999",
                   ("monitor: error: --status 'open': use one or more of new, confirmed, "
                    "false_positive, resolved"),
                   f"monitor: error: {tmp_path / 'none.db'}: database not found"]



def test_cli_review_list_says_how_many_it_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample(tmp_path / "m.db")[0].close()
    db = ["--db", str(tmp_path / "m.db")]
    assert main(["review", "list", *db, "--limit", "0"]) == 0
    everything = capsys.readouterr()
    # after the header
    rows = [line for line in everything.out.splitlines() if not line.startswith("#")][1:]
    assert len(rows) >= 3 and everything.err == ""
    assert main(["review", "list", *db, "--limit", "2"]) == 0
    limited = capsys.readouterr()
    assert limited.out.splitlines()[-2:] == rows[:2]
    assert limited.err == f"… {len(rows) - 2} more; --limit 0 shows all\n"
    assert main(["review", "list", *db, "--limit", str(len(rows))]) == 0
    assert capsys.readouterr().err == ""  # nothing left out, nothing said
