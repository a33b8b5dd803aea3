"""The served page, its sign-in and the static report at 1366x768: every row's decide buttons on
screen without scrolling sideways, signals folded to one line, the table opening on status new."""

from __future__ import annotations

import signal
from pathlib import Path

from chromium import LAPTOP, screenshot
from flagged_items import add, finding, sample
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait
from serving import TOKEN, start_server

from monitor.cli.entry import main
from monitor.desk import review

# Everything the page has to fit: long evidence, an unbroken handle, a long post, a long label.
LONG_EVIDENCE = ("profile bio presents it as 'okx' + 'customer'; answers a help request while its "
                 "bio claims the brand's support; account 3 days old; 0 followers; ") * 3
LAYOUT = """
const w = window.innerWidth;
const buttons = [...document.querySelectorAll('#rows td.decide button')];
return {width: w, pageWidth: document.documentElement.scrollWidth, scrollX: window.scrollX,
        rows: document.querySelectorAll('#rows tr').length,
        rowsWithButtons: new Set(buttons.map((b) => b.closest('tr'))).size,
        off: buttons.filter((b) => { const r = b.getBoundingClientRect();
                                     return r.left < 0 || r.right > w; }).length,
        summaries: [...document.querySelectorAll('#rows details:not([open]) summary')].map(
          (s) => s.getBoundingClientRect().height)};
"""


def _queue(path: Path) -> dict[str, list[int]]:
    """The sample queue, one finding confirmed, and thirty more rows that strain the layout."""
    store, ids = sample(path)
    review.decide(store, ids["leak"][0], "confirm", "alice")
    ids["long"] = []
    for n in range(30):
        label = finding("impersonation", "lookalike_handle_and_display_name")
        [fid] = add(store, str(100 + n), [label], [("reply", "held"), ("alert", "sent")],
                    "DM me for support " * (1 + n % 12),
                    handle="okx_support_desk_official_helpline_" * (1 + n % 2))
        store.db["findings"].update(fid, {"evidence": LONG_EVIDENCE})
        ids["long"].append(fid)
    store.close()
    return ids


def _ready(chrome: WebDriver) -> None:
    WebDriverWait(chrome, 20).until(
        lambda d: d.execute_script("return document.body.dataset.ready"))


def _statuses(chrome: WebDriver) -> set[str]:
    return {td.text for td in chrome.find_elements(By.CSS_SELECTOR, "#rows td.status")}


def _check_fits(chrome: WebDriver, rows: int) -> None:
    """Every row has its buttons inside the window, the page does not scroll sideways, and each
    folded signals cell is one line."""
    got = chrome.execute_script(LAYOUT)
    assert got["width"] == LAPTOP[0] and got["scrollX"] == 0
    assert got["pageWidth"] <= got["width"], got
    assert got["rows"] == got["rowsWithButtons"] == rows and got["off"] == 0, got
    line = chrome.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('#rows td.signals'))"
        ".lineHeight)")
    assert max(got["summaries"]) < 1.5 * line  # a folded cell is one line, however long


def test_served_page_fits_a_laptop_and_opens_on_new(laptop: WebDriver, tmp_path: Path) -> None:
    ids = _queue(tmp_path / "m.db")
    proc, url = start_server(tmp_path / "m.db", {"MONITOR_SERVE_TOKEN": TOKEN})
    try:
        laptop.get(url)
        for form in laptop.find_elements(By.NAME, "token"):  # unless a session is held already
            form.send_keys(TOKEN + "\n")
        _ready(laptop)
        status = Select(laptop.find_element(By.ID, "f-status"))
        assert status.first_selected_option.get_attribute("value") == "new"
        assert _statuses(laptop) == {"new"}
        assert not laptop.find_elements(By.CSS_SELECTOR, f'#rows tr[data-id="{ids["leak"][0]}"]')
        _check_fits(laptop, 35)  # the 36 items but the confirmed one
        first = laptop.find_element(By.CSS_SELECTOR, "#rows tr td:first-child")
        assert "decide" in (first.get_attribute("class") or "")
        screenshot(laptop, tmp_path, "serve-laptop.png")

        row = f'#rows tr[data-id="{ids["long"][0]}"]'
        summary = laptop.find_element(By.CSS_SELECTOR, f"{row} td.signals summary")
        folded = summary.size["height"]
        summary.click()  # the toggle: the whole evidence, wrapped
        WebDriverWait(laptop, 5).until(lambda d: summary.size["height"] > 3 * folded)
        assert LONG_EVIDENCE.strip() in summary.get_attribute("textContent")
        _check_fits(laptop, 35)

        status.select_by_visible_text("all statuses")  # the user can still see everything
        WebDriverWait(laptop, 5).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rows tr")) == 36)
        assert _statuses(laptop) == {"new", "confirmed"}
        _check_fits(laptop, 36)
    finally:
        laptop.delete_all_cookies()  # the next test signs in as if new
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_sign_in_page_uses_the_stylesheet(laptop: WebDriver, tmp_path: Path) -> None:
    sample(tmp_path / "m.db")[0].close()
    proc, url = start_server(tmp_path / "m.db", {"MONITOR_SERVE_TOKEN": TOKEN})
    try:
        laptop.get(url)
        laptop.delete_all_cookies()
        laptop.get(url)
        laptop.get_log("browser")  # drain
        box = laptop.find_element(By.CSS_SELECTOR, "body.signin main")
        styled = laptop.execute_script(
            "const s = getComputedStyle(arguments[0]); "
            "return [s.borderTopStyle, s.backgroundColor]", box)
        assert styled == ["solid", "rgb(255, 255, 255)"]  # page.css applied under the page's CSP
        logged = laptop.get_log("browser")
        refused = [e for e in logged if "Content Security Policy" in e["message"]]
        assert not refused
        screenshot(laptop, tmp_path, "signin-laptop.png")
        laptop.find_element(By.NAME, "token").send_keys(TOKEN + "\n")
        _ready(laptop)
    finally:
        laptop.delete_all_cookies()  # the next test signs in as if new
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_static_report_fits_a_laptop_and_opens_on_new(laptop: WebDriver, tmp_path: Path) -> None:
    ids = _queue(tmp_path / "m.db")
    page = tmp_path / "report.html"
    assert main(["report", "--db", str(tmp_path / "m.db"), "--output", str(page)]) == 0
    laptop.get(page.as_uri())
    _ready(laptop)
    status = Select(laptop.find_element(By.ID, "f-status"))
    assert status.first_selected_option.get_attribute("value") == "new"
    assert _statuses(laptop) == {"new"}
    assert not laptop.find_elements(By.CSS_SELECTOR, f'#rows tr[data-id="{ids["leak"][0]}"]')
    got = laptop.execute_script(LAYOUT)
    assert got["pageWidth"] <= got["width"] and got["rows"] == 35 and got["rowsWithButtons"] == 0
    screenshot(laptop, tmp_path, "report-laptop.png")
