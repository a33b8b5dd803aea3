"""The report's rows as CSV, JSON and Markdown; cells are escaped for the tools that open them."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from monitor.desk.report.rows import COLUMNS, Report
from monitor.desk.review import format_precision

# Spreadsheets run a cell starting with these as a formula; posts are attacker-controlled.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


def to_json(report: Report) -> str:
    """An object with the window, the summary, the precision figures and the rows."""
    doc = {
        "generated_at": report.generated_at,
        "since": report.query.since,
        "statuses": list(report.query.statuses),
        "summary": report.summary,
        "precision": [{"detector": p.detector, "kind": p.kind, "confirmed": p.confirmed,
                       "dismissed": p.dismissed, "precision": p.precision}
                      for p in report.precision],
        "precision_since": report.query.window(),
        "open_cases": report.cases,
        "time_to_takedown": report.time_to_takedown,
        "items": report.rows,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def to_csv(report: Report) -> str:
    """CSV with a header row; text cells that a spreadsheet would run as formulas are quoted."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({c: _csv_cell(r[c]) for c in COLUMNS} for r in report.rows)
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    """A leading apostrophe keeps spreadsheets from evaluating a text cell."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_markdown(report: Report) -> str:
    """A Markdown summary, the precision figures and a table of the rows."""
    lines = ["# Flagged items", "",
             f"{len(report.rows)} items; generated {report.generated_at}", ""]
    for key, counts in report.summary.items():
        lines.append(f"- **{key}**: "
                     + ", ".join(f"{_md(k)} {v}" for k, v in sorted(counts.items())))
    took = report.time_to_takedown or "n/a (no case down yet)"
    lines.append(f"- **takedown cases**: {len(report.cases)} open, "
                 f"time to takedown (median) {took}")
    lines += ["", f"Precision from review decisions since {report.query.window()}:", ""]
    lines += [f"- {_md(format_precision(p))}" for p in report.precision] or ["- no decisions yet"]
    lines += ["", *_md_cases(report)]
    lines += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_md(r[c]) for c in COLUMNS) + " |" for r in report.rows]
    return "\n".join(lines) + "\n"


def _md_cases(report: Report) -> list[str]:
    """The open takedown cases with their age."""
    lines = [f"Open takedown cases ({len(report.cases)}):", ""]
    return lines + [f"- #{c['id']} {c['kind']} {_md(c['subject'])}: {c['status']}, age {c['age']}, "
                    f"{c['posts']} posts ({_md(c['platforms'])})" for c in report.cases]


def _md(value: Any) -> str:
    """A table cell: one line, Markdown and HTML syntax escaped so a post renders as plain text."""
    text = "" if value is None else str(value)
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
