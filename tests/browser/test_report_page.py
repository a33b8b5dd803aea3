"""The HTML report in headless Chromium: filter, sort, inert attacker text,
no outside request, 10k rows."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType

from chromium import ROOT, requested_urls, screenshot
from flagged_items import EVIL_TEXT, sample
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from monitor.cli.entry import main
from monitor.store import Store

APPLY_BUDGET_MS = 1000  # filtering or sorting 10,000 items in the page, redraw included
WALL_BUDGET_S = 3.0  # from the input event to the redrawn table, as seen from the test


def _open(chrome: WebDriver, page: Path) -> None:
    """Load a report file and wait for its first draw."""
    requested_urls(chrome)  # drain what earlier tests left in the log
    chrome.get(page.as_uri())
    WebDriverWait(chrome, 20).until(
        lambda d: d.execute_script("return document.body.dataset.ready")
    )


def _applied(chrome: WebDriver) -> int:
    return int(chrome.execute_script("return document.body.dataset.applied || 0"))


def _wait_applied(chrome: WebDriver, before: int) -> None:
    WebDriverWait(chrome, 10, poll_frequency=0.02).until(lambda d: _applied(d) > before)


def _column(chrome: WebDriver, index: int) -> list[str]:
    cells = chrome.find_elements(By.CSS_SELECTOR, f"#rows tr td:nth-child({index})")
    return [c.text for c in cells]


def test_report_filters_sorts_and_keeps_attacker_text_inert(
    chrome: WebDriver, tmp_path: Path
) -> None:
    store, ids = sample(tmp_path / "m.db")
    store.close()
    page = tmp_path / "report.html"
    assert main(["report", "--db", str(tmp_path / "m.db"), "--output", str(page)]) == 0
    _open(chrome, page)
    assert chrome.execute_script("return window.__pwned") is None
    evil = chrome.find_element(By.CSS_SELECTOR, f'#rows tr[data-id="{ids["evil"][0]}"]')
    assert evil.find_element(By.CSS_SELECTOR, "td.text").get_attribute("textContent") == EVIL_TEXT
    assert not chrome.find_elements(
        By.CSS_SELECTOR, "#rows b:not(td.signals > b), #rows img, #rows script"
    )
    assert [a.get_attribute("href") for a in chrome.find_elements(By.CSS_SELECTOR, "#rows a")] == [
        "https://x.com/dave/status/4",
        "https://x.com/dave/status/4",
        "https://x.com/carol/status/3",
        # the javascript: URL stayed text
        "https://t.me/okx/2",
        "https://x.com/okx_helpdesk/status/1",
    ]

    before = _applied(chrome)
    chrome.find_element(By.ID, "q").send_keys("password")
    _wait_applied(chrome, before)
    assert sorted(_column(chrome, 3)) == ["api_key", "password", "password"]
    before = _applied(chrome)
    chrome.find_element(By.CSS_SELECTOR, "th[data-sort=score] button").click()
    _wait_applied(chrome, before)
    assert (
        chrome.find_element(By.CSS_SELECTOR, "th[data-sort=score]").get_attribute("aria-sort")
        == "descending"
    )
    before = _applied(chrome)
    chrome.find_element(By.ID, "q").send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)
    _wait_applied(chrome, before)
    before = _applied(chrome)
    Select(chrome.find_element(By.ID, "f-platform")).select_by_visible_text("twitter")
    _wait_applied(chrome, before)
    assert set(_column(chrome, 5)) == {"twitter"}
    screenshot(chrome, tmp_path, "report-filtered.png")
    assert chrome.execute_script("return window.__pwned") is None
    assert {u for u in requested_urls(chrome)} <= {page.as_uri()}  # nothing but the file itself


def _bench() -> ModuleType:
    """bench/report_bench.py, which makes the 10,000-item database."""
    spec = importlib.util.spec_from_file_location(
        "report_bench", ROOT / "bench" / "report_bench.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_ten_thousand_items_load_filter_and_sort_quickly(chrome: WebDriver, tmp_path: Path) -> None:
    bench = _bench()
    store = Store(tmp_path / "big.db")
    bench.fill(store, 10_000, seed=7)
    figures = bench.render_html(store, tmp_path / "big.html")
    store.close()
    figures |= bench.measure_page(chrome, tmp_path / "big.html")
    screenshot(chrome, tmp_path, "report-10k.png")
    (ROOT / "out" / "test-screenshots" / "report-10k.json").write_text(
        json.dumps(figures, indent=2)
    )
    print(json.dumps(figures))
    assert figures["rows"] == 10_000
    # Budgets hold on a loaded two-core CI machine; the figures themselves are far lower (README).
    assert figures["filter_applyMs"] < APPLY_BUDGET_MS and figures["sort_applyMs"] < APPLY_BUDGET_MS
    assert figures["filter_wall_s"] < WALL_BUDGET_S and figures["sort_wall_s"] < WALL_BUDGET_S
    start = time.perf_counter()  # the page still answers right after: no frozen main thread
    chrome.execute_script("return 1")
    assert time.perf_counter() - start < 0.5


def test_the_network_check_sees_a_request_to_elsewhere(chrome: WebDriver, tmp_path: Path) -> None:
    page = tmp_path / "leaky.html"
    page.write_text('<img src="http://127.0.0.1:9/pixel.png">', encoding="utf-8")
    requested_urls(chrome)
    chrome.get(page.as_uri())
    seen: list[str] = []
    WebDriverWait(chrome, 10, poll_frequency=0.05).until(
        lambda d: seen.extend(requested_urls(d)) or "http://127.0.0.1:9/pixel.png" in seen
    )
