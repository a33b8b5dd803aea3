"""The report as one self-contained HTML page: summary, chart, precision, then a JS-driven table."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from html import escape
from importlib.resources import files
from typing import Any

from monitor.desk.report.rows import COLUMNS, Report
from monitor.desk.review import format_precision
from monitor.store import FINDING_STATUSES

KIND_COLOURS = {"support_request": "#4e79a7", "impersonation": "#f28e2b", "secret_leak": "#e15759"}
SORTABLE = {"posted_at": "Posted", "kind": "Kind", "label": "Label", "score": "Score",
            "platform": "Platform", "author_handle": "Author", "status": "Status"}
HEADERS = ("posted_at", "kind", "label", "score", "platform", "author_handle", "Text", "Signals",
           "Actions", "status")
CHART_W, CHART_H, CHART_TOP, MAX_BAR = 720, 150, 16, 48
OPEN = "new"  # the status the table opens on: the queue still to decide


@cache
def asset(name: str) -> str:
    """A static file shipped with this package (page.js, page.css)."""
    return files("monitor.desk.report").joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    """The CSP source expression that allows exactly this inline script or style."""
    return ("'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
            + "'")


def style_source() -> str:
    """The CSP source allowing page.css inline (the report and the serve sign-in page use it)."""
    return _sha256(asset("page.css"))


def csp(live: bool) -> str:
    """The page's Content-Security-Policy: its own inline script and style, nothing from outside."""
    # Live, the page talks to its server and posts its sign-out form there.
    connect = "connect-src 'self'; " if live else ""
    forms = "'self'" if live else "'none'"
    return (f"default-src 'none'; script-src {_sha256(asset('page.js'))}; "
            f"style-src {style_source()}; img-src data:; {connect}"
            f"base-uri 'none'; form-action {forms}")


def render(report: Report, live: bool = False, who: str = "", allow: bool = False) -> str:
    """The whole page; `live` adds the decision buttons used by `monitor serve` and its search
    over stored posts (to flag one), `allow` the 'dismiss and allow its links' one on
    impersonation rows; the report's `undo` (an admin's page) the Undo buttons."""
    return _PAGE.format(
        csp=escape(csp(live)), css=asset("page.css"), js=asset("page.js"),
        count=len(report.rows), generated=escape(report.generated_at), scope=escape(_scope(report)),
        cards=_cards(report) + _takedown_card(report), chart=_chart(report),
        precision=_precision(report), cases=_cases(report),
        who=_signed_in(who) if live else "", search=_SEARCH if live else "",
        head=_head(live), table="live" if live else "static", data=_data(report, live, who, allow),
    )


def _signed_in(who: str) -> str:
    """Who the page decides as (the signed-in person, or the server's name for the shared
    token), and the way out."""
    return (f'<span id=who class=meta>signed in as {escape(who)}</span>'
            '<form method=post action=/logout class=logout><button>Sign out</button></form>')


def _scope(report: Report) -> str:
    """One line saying which items the report covers."""
    since = f"posted since {report.query.since}" if report.query.since else "all flagged items"
    statuses = f", status {' or '.join(report.query.statuses)}" if report.query.statuses else ""
    return f"{since}{statuses}; generated {report.generated_at}"


def _cards(report: Report) -> str:
    """One card of counts per summary key."""
    return "".join(
        f"<div class=card><h3>by {escape(key)}</h3>"
        + "".join(f"<div><span>{escape(k)}</span><b>{v:,}</b></div>" for k, v in sorted(c.items()))
        + "</div>" for key, c in report.summary.items())


def _takedown_card(report: Report) -> str:
    """The summary's card of takedown cases: how many are open, the median time to takedown."""
    took = escape(report.time_to_takedown or "n/a")
    return (f"<div class=card><h3>takedown cases</h3><div><span>open</span>"
            f"<b>{len(report.cases)}</b></div><div><span>time to takedown</span><b>{took}</b>"
            "</div></div>")


def _chart(report: Report) -> str:
    """Flags over time as an inline SVG of bars stacked by kind, each with a tooltip."""
    if not report.timeline:
        return "<p>No flagged items.</p>"
    top = max(sum(c.values()) for _, c in report.timeline) or 1
    width = min(CHART_W / len(report.timeline), MAX_BAR)
    bars = [_bar(i * width, width, day, counts, top)
            for i, (day, counts) in enumerate(report.timeline)]
    bottom = CHART_TOP + CHART_H + 14
    legend = "".join(f"<span><i class=k-{k}></i>{escape(k)}</span>" for k in KIND_COLOURS)
    return (f'<svg role=img aria-label="flags over time" width={CHART_W} height={bottom + 4} '
            f'viewBox="0 0 {CHART_W} {bottom + 4}">'
            f'<text x=0 y=11 font-size=11>{top:,} at most a '
            f'{"week" if report.weekly else "day"}</text>'
            f'{"".join(bars)}{_axis(report, len(report.timeline) * width, bottom)}</svg>'
            f'<div class=legend>{legend}</div>')


def _axis(report: Report, right: float, y: int) -> str:
    """The first and last bucket under the bars; one label when the bars are too few to hold two."""
    first, last = escape(report.timeline[0][0]), escape(report.timeline[-1][0])
    if right < 160:
        span = first if first == last else f"{first} – {last}"
        return f"<text x=0 y={y} font-size=11>{span}</text>"
    return (f"<text x=0 y={y} font-size=11>{first}</text>"
            f"<text x={right:.0f} y={y} font-size=11 text-anchor=end>{last}</text>")


def _bar(x: float, width: float, day: str, counts: dict[str, int], top: int) -> str:
    """One bucket's stacked rectangles, bottom up."""
    parts, y = [], float(CHART_TOP + CHART_H)
    for kind, colour in KIND_COLOURS.items():
        height = CHART_H * counts.get(kind, 0) / top
        if height:
            y -= height
            parts.append(f'<rect x="{x + 0.5:.1f}" y="{y:.1f}" width="{max(width - 1, 0.5):.1f}" '
                         f'height="{height:.1f}" fill="{colour}"><title>{escape(day)} '
                         f'{escape(kind)}: {counts[kind]}</title></rect>')
    return "".join(parts)


def _precision(report: Report) -> str:
    """The precision table from review decisions within the window."""
    if not report.precision:
        return f"<p>No review decisions since {escape(report.query.window())}.</p>"
    head = "<tr><th>kind (detector)</th><th>confirmed</th><th>dismissed</th><th>precision</th></tr>"
    body = "".join(
        f"<tr title=\"{escape(format_precision(p))}\"><td>{escape(p.name)}</td>"
        f"<td>{p.confirmed}</td><td>{p.dismissed}</td>"
        f"<td>{'n/a' if p.precision is None else f'{p.precision:.2f}'}</td></tr>"
        for p in report.precision)
    return (f"<p class=meta>From review decisions since {escape(report.query.window())}.</p>"
            f"<table class=precision>{head}{body}</table>")


def _cases(report: Report) -> str:
    """The takedown cases still open, with their age, and the median time to takedown."""
    took = report.time_to_takedown or "n/a (no case down yet)"
    head = (f"<h2 id=cases>Takedown cases ({len(report.cases)} open)</h2>"
            f"<p class=meta>Time to takedown (median over cases down): {escape(took)}</p>")
    if not report.cases:
        return head
    rows = "".join(
        f"<tr><td>#{c['id']}</td><td>{escape(c['kind'])}</td><td>{escape(c['subject'])}</td>"
        f"<td>{escape(c['status'])}</td><td title=\"first seen {escape(c['first_seen'])}\">"
        f"{escape(c['age'])}</td><td>{c['posts']}</td><td>{escape(c['platforms'])}</td></tr>"
        for c in report.cases)
    return (f"{head}<table class=cases><tr><th>case</th><th>kind</th><th>subject</th>"
            f"<th>status</th><th>age</th><th>posts</th><th>platforms</th></tr>{rows}</table>")


def _head(live: bool) -> str:
    """The table header; sortable columns carry a button. The decide buttons come first, so
    they stay on screen however wide the posts make the table."""
    cells = [f'<th data-sort={c} aria-sort=none><button type=button>{SORTABLE[c]}</button></th>'
             if c in SORTABLE else f"<th>{escape(c.capitalize())}</th>" for c in HEADERS]
    return ("<th>Decide</th>" if live else "") + "".join(cells)


def _opening_status(report: Report) -> str:
    """The status filter the table opens on: new, unless the report holds no new items by query."""
    statuses = report.query.statuses
    return OPEN if not statuses or OPEN in statuses else ""


def _data(report: Report, live: bool, who: str, allow: bool = False) -> str:
    """The rows as JSON, safe inside a <script> element: no '<', '>' or '&' left to parse."""
    columns = [*COLUMNS, "held", "undo"] if live else list(COLUMNS)
    held, undo = (report.held, report.undo) if live else ({}, {})
    rows = [[r[c] for c in COLUMNS] + ([held.get(r["id"], []), undo.get(r["id"], [])] if live
                                       else []) for r in report.rows]
    doc: dict[str, Any] = {"columns": columns, "rows": rows, "live": live, "who": who,
                           "allow": live and allow, "statuses": list(FINDING_STATUSES),
                           "status": _opening_status(report)}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# The served page's search over stored posts: a post the detectors passed is found and flagged
# here (page.js draws the results with textContent only).
_SEARCH = """<h2 id=search-head>Search posts</h2>
<form id=search class="controls search" role=search>
<input id=search-q type=search placeholder="words of a stored post or @handle" \
aria-label="search stored posts" minlength=2 maxlength=200 required>
<select id=search-platform aria-label="search platform"><option value="">all platforms</option>\
<option>telegram</option><option>discord</option><option>reddit</option><option>twitter</option>\
</select><button id=search-go>Search</button>
<label>flag as <select id=flag-kind aria-label="flag kind"><option>impersonation</option>\
<option>secret_leak</option><option>support_request</option></select></label>
<input id=flag-label placeholder="label (optional)" aria-label="flag label" maxlength=64>
<input id=flag-note placeholder="note (optional)" aria-label="flag note" maxlength=500>
</form>
<div class=pager id=search-pager hidden>\
<button id=search-prev type=button disabled>◀ previous</button>\
<span id=search-count></span><button id=search-next type=button disabled>next ▶</button></div>
<div class=scroll><table id=posts class=posts hidden><thead><tr><th>Flag</th><th>Posted</th>\
<th>Platform</th><th>Author</th><th>Text</th><th>Findings</th></tr></thead>
<tbody id=post-rows></tbody></table></div>
"""

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>support-monitor: flagged items</title>
<style>{css}</style></head><body>
<h1>Flagged items ({count:,})</h1>
<p class=meta>{scope}</p>
<h2>Summary</h2>
<div class=cards>{cards}</div>
<h2>Flags over time</h2>
<div class=chart>{chart}</div>
<h2>Precision per detector</h2>
{precision}
{cases}
{search}<h2>Items</h2>
<div class=controls>
<input id=q type=search placeholder="filter: text, author, label, signal…" aria-label="filter rows">
<select id=f-kind aria-label="kind"><option value="">all kinds</option></select>
<select id=f-platform aria-label="platform"><option value="">all platforms</option></select>
<select id=f-status aria-label="status"><option value="">all statuses</option></select>
<select id=size aria-label="rows per page"><option>50</option><option selected>100</option>\
<option>500</option></select>
{who}<span id=message role=status></span>
</div>
<noscript><p>The table needs JavaScript; the CSV, JSON and Markdown exports hold the same rows.\
</p></noscript>
<div class=pager><button id=prev type=button>◀ previous</button><span id=page></span>
<button id=next type=button>next ▶</button><span id=count></span></div>
<div class=scroll><table id=items class={table}><thead><tr>{head}</tr></thead>
<tbody id=rows></tbody></table></div>
<script type="application/json" id="report-data">{data}</script>
<script>{js}</script>
</body></html>
"""
