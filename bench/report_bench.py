"""The HTML report at scale: seeded flagged items into a database, render time, file size, and in
headless Chromium the page load and the time to apply a filter and a sort.

Usage: python bench/report_bench.py [--items 10000] [--seed 7] [--out out/bench-report]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.core.models import Author, Finding, Post
from monitor.desk import report, review
from monitor.store import Store

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = ("twitter", "telegram", "discord", "reddit")
KINDS = {  # kind: (weight, labels, detector)
    "support_request": (
        5,
        ("withdrawal", "deposit", "login", "kyc", "trading", "api", "other"),
        "support",
    ),
    "impersonation": (3, ("handle", "display_name", "phishing_link", "content"), "impersonation"),
    "secret_leak": (2, ("seed_phrase", "private_key", "api_key", "token", "password"), "secrets"),
}
TEXTS = (
    "my withdrawal has been pending for {n} hours, order {n}, please help",
    "DM me, I am from official support, verify at https://okx.com.verify-{n}.io",
    "my seed phrase is [seed phrase removed: 12 words] why is my wallet empty",
    "提币{n}小时还没到账，怎么办？",
    "客服您好，我的账户被冻结了，订单号 {n}",
    "api key [API key removed] secret [API secret removed] not working",
    "<b>urgent</b> <script>alert({n})</script> contact @okx_support_{n} now",
)


def fill(store: Store, count: int, seed: int = 7, days: int = 30) -> None:
    """`count` flagged items over `days` days, bulk-inserted; 15% reviewed through review.decide."""
    rng = random.Random(seed)
    begin = datetime(2026, 11, 21, tzinfo=UTC) - timedelta(days=days)
    kinds = [k for k, (w, _, _) in KINDS.items() for _ in range(w)]
    items = [
        _item(rng, i, begin + timedelta(seconds=days * 86400 * i / count), rng.choice(kinds))
        for i in range(count)
    ]
    with store.db.atomic():
        # Bulk rows in the store's own columns: Store.record per item is ~10x slower at this size.
        store.db.table("posts").insert_all(_post_row(p) for p, _ in items)
        store.db.table("findings").insert_all(_finding_row(p, f) for p, f in items)
        store.db.table("actions").insert_all(_action_row(rng, p, f) for p, f in items)
        for fid in rng.sample(range(1, count + 1), count * 15 // 100):
            review.decide(
                store,
                fid,
                rng.choice(("confirm", "confirm", "confirm", "dismiss", "resolve")),
                "bench",
            )


def _post_row(post: Post) -> dict[str, Any]:
    """A posts row."""
    return {
        "platform": post.platform,
        "id": post.id,
        "channel": post.channel,
        "author_id": post.author.id,
        "author_handle": post.author.handle,
        "author_name": post.author.name,
        "text": post.text,
        "lang": "",
        "created_at": _iso(post),
        "url": post.url,
        "reply_to": None,
        "seen_at": _iso(post),
    }


def _finding_row(post: Post, f: Finding) -> dict[str, Any]:
    """A findings row, flagged when its post was seen."""
    return {
        "platform": post.platform,
        "post_id": post.id,
        "kind": f.kind,
        "label": f.label,
        "score": f.score,
        "evidence": f.evidence,
        "detector": f.detector,
        "fingerprint": "",
        "status": "new",
        "created_at": _iso(post),
        "updated_at": _iso(post),
    }


def _action_row(rng: random.Random, post: Post, f: Finding) -> dict[str, Any]:
    """An actions row: a reply, held for review, sent or skipped."""
    return {
        "platform": post.platform,
        "post_id": post.id,
        "kind": "reply",
        "target": post.id,
        "text": "reply",
        "reason": f"{f.kind}: {f.label}",
        "status": rng.choice(("held", "sent", "skipped")),
        "result": "",
        "created_at": _iso(post),
        "updated_at": _iso(post),
    }


def _iso(post: Post) -> str:
    """A post's time in the store's format."""
    assert post.created_at is not None
    return post.created_at.isoformat(timespec="seconds")


def _item(rng: random.Random, i: int, when: datetime, kind: str) -> tuple[Post, Finding]:
    """One post and its finding."""
    platform = rng.choice(PLATFORMS)
    handle = f"user_{rng.randrange(2000)}"
    text = rng.choice(TEXTS).format(n=rng.randrange(10**6)) * rng.choice((1, 1, 2, 4))
    post = Post(
        platform=platform,
        id=f"p{i}",
        author=Author(platform, handle, handle),
        text=text,
        created_at=when,
        url=f"https://example.invalid/{platform}/{i}",
    )
    _, labels, detector = KINDS[kind]
    label = rng.choice(labels)
    return post, Finding(kind, label, round(rng.uniform(0.5, 1.0), 3), f"{label} signal", detector)


def render_html(store: Store, path: Path) -> dict[str, Any]:
    """Write the report; its size and how long reading the store and rendering took."""
    t0 = time.perf_counter()
    built = report.build(store)
    t1 = time.perf_counter()
    path.write_text(report.html.render(built), encoding="utf-8")
    t2 = time.perf_counter()
    return {
        "rows": len(built.rows),
        "query_s": round(t1 - t0, 3),
        "render_s": round(t2 - t1, 3),
        "html_mb": round(path.stat().st_size / 1e6, 2),
    }


def measure_page(chrome: Any, path: Path) -> dict[str, Any]:
    """In the browser: load to first draw, then a filter and a sort, wall and in-page times."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    t0 = time.perf_counter()
    chrome.get(path.as_uri())
    WebDriverWait(chrome, 60).until(
        lambda d: d.execute_script("return document.body.dataset.ready")
    )
    figures = {
        "load_wall_s": round(time.perf_counter() - t0, 3),
        "ready_in_page_ms": round(
            chrome.execute_script(
                "return performance.getEntriesByName('report-ready')[0].startTime"
            )
        ),
    }
    # The filter as one input event (the page's debounce included),
    # not selenium's key by key typing.
    figures |= _timed(
        chrome,
        "filter",
        lambda: chrome.execute_script(
            "const q = document.getElementById('q'); q.value = 'withdrawal';"
            "q.dispatchEvent(new Event('input'));"
        ),
    )
    figures["after_filter"] = chrome.find_element(By.ID, "count").text
    figures |= _timed(
        chrome,
        "sort",
        lambda: chrome.find_element(By.CSS_SELECTOR, "th[data-sort=author_handle] button").click(),
    )
    return figures


def _timed(chrome: Any, name: str, act: Any) -> dict[str, float]:
    """Wall time from an action until the table is redrawn, and the page's own timings of it."""
    from selenium.webdriver.support.ui import WebDriverWait

    before = int(chrome.execute_script("return document.body.dataset.applied"))
    t0 = time.perf_counter()
    act()
    WebDriverWait(chrome, 30, poll_frequency=0.01).until(
        lambda d: int(d.execute_script("return document.body.dataset.applied")) > before
    )
    wall = time.perf_counter() - t0
    page = chrome.execute_script("return window.reportTiming")
    return {
        f"{name}_wall_s": round(wall, 3),
        **{f"{name}_{k}": round(page[k], 1) for k in ("applyMs", "filterMs", "sortMs", "drawMs")},
    }


def _chromium() -> Any:
    """tests/browser/chromium.py, which starts headless Chromium the way the browser tests do."""
    spec = importlib.util.spec_from_file_location(
        "chromium", ROOT / "tests" / "browser" / "chromium.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    """Fill, render, measure; print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench-report")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / "bench.db"
    for old in (db, db.with_name("bench.db-wal"), db.with_name("bench.db-shm")):
        old.unlink(missing_ok=True)
    store = Store(db)
    t0 = time.perf_counter()
    fill(store, args.items, args.seed)
    figures: dict[str, Any] = {"fill_s": round(time.perf_counter() - t0, 2)}
    figures |= render_html(store, args.out / "report.html")
    store.close()
    chromium = _chromium()
    found = chromium.binaries()
    if found is None:
        print("no chromium/chromedriver: browser figures skipped", file=sys.stderr)
    else:
        chrome = chromium.start(*found)
        try:
            figures |= measure_page(chrome, args.out / "report.html")
        finally:
            chrome.quit()
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
