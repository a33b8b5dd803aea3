"""The served page at 1366x768 in headless Chromium: search the stored posts, flag the one the
detectors passed and find it in the queue; undo a sent restriction as an admin."""

from __future__ import annotations

import signal
from pathlib import Path

from chromium import LAPTOP, requested_urls, screenshot
from flagged_items import EVIL_TEXT, add, finding, sample
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait
from serving import TOKEN, start_server

from monitor.core.models import Author, Post
from monitor.store import Store

SCAM = ("Honestly the best decision this year was joining the signals group run by Mr Daniel "
        "Harris, my portfolio grew four times in two weeks, write to him at harris-signals.net")


def _store(path: Path) -> int:
    """The sample queue, posts the detectors passed (one of them the scam, one hostile markup),
    and an impostor's post whose restriction went out; the restriction's action id."""
    store, _ = sample(path)
    for n, (handle, text) in enumerate([("daniel_harris_fx", SCAM), ("member1", "gm all"),
                                        ("<b>x</b>", f"daniel {EVIL_TEXT}")]):
        author = Author("telegram", f"u{n}", handle, "Daniel Harris FX")
        store.add_post(Post("telegram", f"-1005:{n}", author, text, channel="group"))
    add(store, "21", [finding("impersonation", "handle")], [("restrict", "sent")],
        "DM me, I am OKX support", platform="telegram", handle="okx_helpdesk_desk")
    restrict = next(a["id"] for a in store.post_actions("telegram", "21"))
    store.close()
    return restrict


def _message(chrome: WebDriver, contains: str) -> str:
    """Wait for the page's status line to say something."""
    WebDriverWait(chrome, 10, poll_frequency=0.05).until(
        lambda d: contains in d.find_element(By.ID, "message").text)
    return chrome.find_element(By.ID, "message").text


def _ready(chrome: WebDriver) -> None:
    WebDriverWait(chrome, 20).until(
        lambda d: d.execute_script("return document.body.dataset.ready"))


def _fits(chrome: WebDriver) -> None:
    """The page never scrolls sideways at the laptop's width."""
    width, page = chrome.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]")
    assert width == LAPTOP[0] and page <= width


def test_search_flag_and_see_it_in_the_queue_then_undo_a_restriction(
        laptop: WebDriver, tmp_path: Path) -> None:
    restrict = _store(tmp_path / "m.db")
    proc, url = start_server(tmp_path / "m.db", {"MONITOR_SERVE_TOKEN": TOKEN}, "--who", "hana")
    try:
        requested_urls(laptop)
        laptop.get(url)
        for form in laptop.find_elements(By.NAME, "token"):  # unless a session is held already
            form.send_keys(TOKEN + "\n")
        _ready(laptop)
        laptop.execute_script("document.getElementById('search-head').scrollIntoView()")
        laptop.find_element(By.ID, "search-q").send_keys("daniel")
        laptop.find_element(By.ID, "search-go").click()
        WebDriverWait(laptop, 10).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#post-rows tr")) == 2)
        results = laptop.find_elements(By.CSS_SELECTOR, "#post-rows tr")
        assert [r.get_attribute("data-post") for r in results] == ["-1005:2", "-1005:0"]
        assert "<script>" in results[0].find_element(By.CSS_SELECTOR, "td.text").text  # as text
        laptop.find_element(By.ID, "flag-label").send_keys("signals_scam")
        results[1].find_element(By.CSS_SELECTOR, "button.flag").click()
        said = _message(laptop, "(flagged)")
        assert said.startswith("finding ")
        assert "impersonation/signals_scam confirmed by hana" in said
        assert "takedown case #1 opened for host harris-signals[.]net" in said
        finding_id = int(said.split()[1])
        assert results[1].find_element(By.CSS_SELECTOR, "td.findings").text == (
            "impersonation:confirmed")
        row = f'#rows tr[data-id="{finding_id}"]'
        laptop.find_element(By.ID, "q").send_keys("harris")  # the queue's own filter
        WebDriverWait(laptop, 10).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rows tr")) == 1)
        assert laptop.find_element(By.CSS_SELECTOR, f"{row} td.status").text == "confirmed"
        laptop.execute_script("document.getElementById('search-head').scrollIntoView()")
        _fits(laptop)
        screenshot(laptop, tmp_path, "serve-search.png")

        laptop.get(url)  # the flag is stored: after a reload it is in the queue as confirmed
        _ready(laptop)
        Select(laptop.find_element(By.ID, "f-status")).select_by_value("confirmed")
        WebDriverWait(laptop, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, row))

        Select(laptop.find_element(By.ID, "f-status")).select_by_value("new")
        laptop.find_element(By.ID, "q").send_keys("okx_helpdesk_desk")
        WebDriverWait(laptop, 10).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rows tr")) == 1)
        undo = laptop.find_element(By.CSS_SELECTOR, "#rows button.undo")
        assert undo.text == "Undo restrict"
        laptop.execute_script("document.getElementById('items').scrollIntoView()")
        screenshot(laptop, tmp_path, "serve-undo.png")
        undo.click()
        said = _message(laptop, "undone by hana")
        assert said.startswith(f"action {restrict} undone by hana: unban ")
        assert not laptop.find_elements(By.CSS_SELECTOR, "#rows button.undo")
        assert "unban:planned" in laptop.find_element(By.CSS_SELECTOR, "#rows td.actions").text
        _fits(laptop)
        screenshot(laptop, tmp_path, "serve-undone.png")
        assert laptop.execute_script("return window.__pwned") is None
        assert all(u.startswith(url) for u in requested_urls(laptop))  # only the local server
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0

    store = Store(tmp_path / "m.db")
    audit = [(a["who"], a["action"]) for a in store.db["audit"].rows]
    assert [a for a in audit if a[1] in ("flag", "undo:restrict")] == [
        ("hana", "flag"), ("hana", "undo:restrict")]
    assert [m["text"] for m in store.db["memory_texts"].rows] == [SCAM]
