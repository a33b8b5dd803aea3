"""Flagged-items report from the store: HTML (self-contained), Markdown, CSV or JSON."""

from __future__ import annotations

from monitor.desk.report import exports, html
from monitor.desk.report.rows import COLUMNS, Query, Report, build, rows, summary
from monitor.store import Store

__all__ = ["COLUMNS", "FORMATS", "Query", "Report", "build", "render", "rows", "summary"]

FORMATS = ("html", "md", "csv", "json")
_RENDERERS = {"html": html.render, "md": exports.to_markdown, "csv": exports.to_csv,
              "json": exports.to_json}


def render(store: Store, fmt: str, query: Query | None = None) -> str:
    """The whole report in one format."""
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    return _RENDERERS[fmt](build(store, query))
