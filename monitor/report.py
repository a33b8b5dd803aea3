"""Flagged-items report from the store: HTML (self-contained), Markdown, CSV or JSON."""

from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter
from typing import Any

from monitor.store import Store

COLUMNS = ("id", "created_at", "kind", "label", "score", "platform", "url", "author_handle",
           "text", "evidence", "actions", "status")
FORMATS = ("html", "md", "csv", "json")


def rows(store: Store) -> list[dict[str, Any]]:
    """The report's rows, newest first, with only the columns the report shows."""
    return [{c: r.get(c) for c in COLUMNS} for r in store.flagged()]


def render(store: Store, fmt: str) -> str:
    """The whole report in one format."""
    data = rows(store)
    renderers = {"html": _html, "md": _markdown, "csv": _csv, "json": _json}
    if fmt not in renderers:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    return renderers[fmt](data)


def summary(data: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """Counts by kind, platform and status."""
    return {key: Counter(str(r[key]) for r in data) for key in ("kind", "platform", "status")}


def _json(data: list[dict[str, Any]]) -> str:
    """JSON: an object with the summary and the rows."""
    return json.dumps({"summary": summary(data), "items": data}, ensure_ascii=False, indent=2)


def _csv(data: list[dict[str, Any]]) -> str:
    """CSV with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(data)
    return out.getvalue()


def _markdown(data: list[dict[str, Any]]) -> str:
    """A Markdown summary and table."""
    lines = ["# Flagged items", ""]
    for key, counts in summary(data).items():
        lines.append(f"- **{key}**: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    lines += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in data:
        cells = (str(r[c] if r[c] is not None else "").replace("|", "\\|").replace("\n", " ") for c in COLUMNS)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _html(data: list[dict[str, Any]]) -> str:
    """One self-contained HTML page: summary, then a table filterable by a text box."""
    cards = "".join(
        f"<div class=card><h3>{html.escape(key)}</h3>"
        + "".join(f"<div>{html.escape(k)}: <b>{v}</b></div>" for k, v in sorted(c.items()))
        + "</div>"
        for key, c in summary(data).items()
    )
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r[c] if r[c] is not None else ''))}</td>" for c in COLUMNS) + "</tr>"
        for r in data
    )
    return _PAGE.format(count=len(data), cards=cards, head=head, body=body)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>support-monitor: flagged items</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}}
.cards{{display:flex;gap:1rem;flex-wrap:wrap}}.card{{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem}}
table{{border-collapse:collapse;width:100%;margin-top:1rem;font-size:.85rem}}
th,td{{border:1px solid #ddd;padding:.3rem;vertical-align:top;text-align:left}}th{{background:#f3f3f3}}
td:nth-child(9){{max-width:30rem;white-space:pre-wrap}}
</style></head><body>
<h1>Flagged items ({count})</h1>
<div class=cards>{cards}</div>
<p><input id=q placeholder="filter rows" size=40></p>
<table><thead><tr>{head}</tr></thead><tbody id=rows>{body}</tbody></table>
<script>
document.getElementById('q').addEventListener('input', e => {{
  const q = e.target.value.toLowerCase();
  for (const tr of document.getElementById('rows').rows)
    tr.style.display = tr.textContent.toLowerCase().includes(q) ? '' : 'none';
}});
</script></body></html>
"""
