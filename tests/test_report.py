"""Report: rows and filters, summary and timeline, safe exports, a
self-contained inert HTML page."""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from flagged_items import EVIL_TEXT, sample

from monitor.cli.entry import main
from monitor.desk import report, review
from monitor.desk.report import html as report_html
from monitor.desk.report.rows import timeline
from monitor.store import Store


def _age(store: Store, finding_ids: list[int], when: str) -> None:
    """Backdate findings (the store stamps them with the time they were recorded)."""
    for fid in finding_ids:
        store.db["findings"].update(fid, {"created_at": when})


def test_rows_are_newest_first_with_every_column(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    rows = report.rows(store)
    assert [r["id"] for r in rows] == sorted((i for v in ids.values() for i in v), reverse=True)
    assert all(tuple(r) == report.COLUMNS for r in rows)
    imp = next(r for r in rows if r["id"] == ids["imp"][0])
    assert imp["actions"] == "alert:sent, reply:held, report:held"
    assert (imp["detector"], imp["evidence"], imp["author_handle"]) == (
        "impersonation", "handle signal", "okx_helpdesk")


def test_since_and_status_filter_the_rows(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    _age(store, ids["imp"] + ids["leak"], "2026-01-01T00:00:00+00:00")
    review.decide(store, ids["support"][0], "confirm", "alice")
    recent = report.rows(store, report.Query(since="2026-06-01T00:00:00+00:00"))
    assert {r["id"] for r in recent} == {*ids["support"], *ids["two"], *ids["evil"]}
    confirmed = report.rows(store, report.Query(statuses=("confirmed", "resolved")))
    assert [r["id"] for r in confirmed] == ids["support"]


def test_summary_and_timeline_count_by_kind(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    _age(store, ids["imp"], "2026-11-01T09:00:00+00:00")
    _age(store, ids["leak"], "2026-11-03T23:59:00+00:00")
    rep = report.build(store, report.Query(since="2026-10-01T00:00:00+00:00"))
    assert rep.summary["kind"] == Counter({"secret_leak": 3, "impersonation": 2,
                                           "support_request": 1})
    assert rep.timeline[:3] == [("2026-11-01", Counter({"impersonation": 1})),
                                ("2026-11-02", Counter()),
                                ("2026-11-03", Counter({"secret_leak": 1}))]


def test_long_spans_are_charted_by_week() -> None:
    rows = [{"created_at": "2026-01-05T10:00:00+00:00", "kind": "impersonation"},
            {"created_at": "2026-01-07T10:00:00+00:00", "kind": "impersonation"},
            {"created_at": "2026-05-01T10:00:00+00:00", "kind": "secret_leak"}]
    weeks = timeline(rows)
    assert weeks[0] == ("2026-01-05", Counter({"impersonation": 2}))
    assert weeks[-1] == ("2026-04-27", Counter({"secret_leak": 1}))
    assert len(weeks) == 17


def test_csv_cells_cannot_become_spreadsheet_formulas(tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")
    store.db["posts"].update(("twitter", "1"), {"text": "=cmd|' /C calc'!A0"})
    rows = list(csv.DictReader(io.StringIO(report.render(store, "csv"))))
    assert rows[0].keys() == set(report.COLUMNS)
    imp = next(r for r in rows if r["author_handle"] == "okx_helpdesk")
    assert imp["text"] == "'=cmd|' /C calc'!A0"
    assert next(r for r in rows if r["author_handle"] == "<i>mallory</i>")["text"] == EVIL_TEXT


def test_markdown_renders_posts_as_plain_text(tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")
    review.decide(store, 1, "dismiss", "alice")
    text = report.render(store, "md")
    evil = next(line for line in text.splitlines() if "mallory" in line)
    assert "<" not in evil.replace("\\<", "") and "|" not in (
        evil.replace("\\|", "").strip("| ").replace(" | ", ""))
    assert evil.count(" | ") == len(report.COLUMNS) - 1
    assert "- impersonation: 0 confirmed, 1 dismissed, precision 0.00" in text


def test_json_holds_summary_precision_and_items(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    review.decide(store, ids["leak"][0], "confirm", "alice")
    doc = json.loads(report.render(store, "json", report.Query(statuses=("confirmed",))))
    assert doc["statuses"] == ["confirmed"] and [i["id"] for i in doc["items"]] == ids["leak"]
    assert doc["summary"]["kind"] == {"secret_leak": 1}
    assert doc["precision"] == [{"detector": "secrets", "kind": "secret_leak", "confirmed": 1,
                                 "dismissed": 0, "precision": 1.0}]


def test_html_embeds_attacker_text_inertly(tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")
    page = report.render(store, "html")
    data = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page,
                     re.DOTALL)
    assert data is not None
    assert "<" not in data.group(1) and ">" not in data.group(1)
    assert any(EVIL_TEXT in row for row in json.loads(data.group(1))["rows"])
    outside = page.replace(data.group(0), "")
    assert "window.__pwned" not in outside and "mallory" not in outside


def test_html_is_self_contained_and_allows_only_its_own_script(tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")
    page = report.render(store, "html")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "@import" not in page and "url(" not in report_html.asset("page.css")
    policy = html.unescape(
        re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in policy and "connect-src" not in policy
    for tag, body in re.findall(r"<(script|style)>(.*?)</\1>", page, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy, tag


def test_html_summary_shows_counts_chart_and_precision(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    review.decide(store, ids["evil"][0], "dismiss", "alice")
    page = report.render(store, "html")
    assert "<h1>Flagged items (6)</h1>" in page
    assert ("<span>secret_leak</span><b>3</b>" in page
            and "<span>false_positive</span><b>1</b>" in page)
    assert page.count("<rect ") == 3 and "impersonation: 2</title>" in page
    assert "<td>0</td><td>1</td><td>0.00</td>" in page


def test_cli_report_filters_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store, ids = sample(tmp_path / "m.db")
    review.decide(store, ids["leak"][0], "confirm", "alice")
    store.close()
    out = tmp_path / "r.json"
    args = ["report", "--db", str(tmp_path / "m.db"), "--format", "json", "--output", str(out)]
    assert main([*args, "--since", "1d", "--status", "confirmed"]) == 0
    assert [i["id"] for i in json.loads(out.read_text(encoding="utf-8"))["items"]] == ids["leak"]
    assert main([*args, "--since", "yesterday"]) == 2
    assert main([*args, "--status", "open"]) == 2
    err = capsys.readouterr().err
    assert "--since 'yesterday': use a span like 7d" in err and "--status 'open'" in err
