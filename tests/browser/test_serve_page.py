"""The served review page in headless Chromium: sign in, filter, approve a held reply, dismiss."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from chromium import requested_urls, screenshot
from flagged_items import add, finding, sample
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from serving import TOKEN, start_server

from monitor.core.config import DEFAULT_CONFIG
from monitor.core.hostlists import load
from monitor.store import Store


def _message(chrome: WebDriver, contains: str) -> str:
    """Wait for the page's status line to say something."""
    WebDriverWait(chrome, 10, poll_frequency=0.05).until(
        lambda d: contains in d.find_element(By.ID, "message").text
    )
    return chrome.find_element(By.ID, "message").text


def test_served_page_signs_in_filters_approves_and_dismisses(
    chrome: WebDriver, tmp_path: Path
) -> None:
    store, ids = sample(tmp_path / "m.db")
    store.close()
    # The shared token's decisions carry the server's --who (the page no longer names a reviewer).
    proc, url = start_server(tmp_path / "m.db", {"MONITOR_SERVE_TOKEN": TOKEN}, "--who", "hana")
    try:
        requested_urls(chrome)
        chrome.get(url)
        chrome.find_element(By.NAME, "token").send_keys(TOKEN + "\n")
        WebDriverWait(chrome, 20).until(
            lambda d: d.execute_script("return document.body.dataset.ready")
        )
        assert chrome.find_element(By.ID, "who").text == "signed in as hana"
        chrome.find_element(By.ID, "q").send_keys("okx_helpdesk")
        WebDriverWait(chrome, 10).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rows tr")) == 1
        )
        row = f'#rows tr[data-id="{ids["imp"][0]}"]'

        chrome.find_element(By.CSS_SELECTOR, f"{row} button.approve").click()  # the held reply
        assert "approved by hana" in _message(chrome, "approved")
        assert [b.text for b in chrome.find_elements(By.CSS_SELECTOR, f"{row} button.approve")] == [
            "Approve held report"
        ]
        chrome.find_element(By.CSS_SELECTOR, f'{row} button[data-verb="dismiss"]').click()
        assert (
            _message(chrome, "false_positive") == f"finding {ids['imp'][0]} false_positive by hana"
        )
        assert chrome.find_element(By.CSS_SELECTOR, f"{row} td.status").text == "false_positive"
        assert not chrome.find_elements(By.CSS_SELECTOR, f"{row} button.approve")
        screenshot(chrome, tmp_path, "serve-decided.png")
        assert chrome.execute_script("return window.__pwned") is None
        assert all(u.startswith(url) for u in requested_urls(chrome))  # only the local server
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0

    store = Store(tmp_path / "m.db")
    assert {a["kind"]: a["status"] for a in store.post_actions("twitter", "1")} == {
        "reply": "planned",
        "alert": "sent",
        "report": "skipped",
    }
    audit = [(a["who"], a["action"], json.loads(a["detail"])) for a in store.db["audit"].rows]
    reply = next(a["id"] for a in store.post_actions("twitter", "1") if a["kind"] == "reply")
    assert audit[0] == ("hana", "approve:reply", {"action_id": reply})
    assert [a[:2] for a in audit[1:]] == [
        ("hana", "review:false_positive"),
        ("hana", "action:skip"),
    ]


def test_dismiss_and_allow_links_from_the_page(chrome: WebDriver, tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")
    [fan] = add(
        store,
        "10",
        [finding("impersonation", "phishing_link")],
        [("alert", "sent")],
        "fee table at https://okx-fans.example/fees",
        handle="fanwiki",
    )
    store.close()
    cfg = tmp_path / "monitor.toml"
    cfg.write_text(
        DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
            'allow_list = "impersonation/allowed_example.txt"', 'allow_list = "allowed.txt"'
        ),
        encoding="utf-8",
    )
    proc, url = start_server(
        tmp_path / "m.db", {"MONITOR_SERVE_TOKEN": TOKEN}, "--config", str(cfg), "--who", "ivy"
    )
    try:
        chrome.get(url)
        # the browser may still hold a session cookie
        for form in chrome.find_elements(By.NAME, "token"):
            form.send_keys(TOKEN + "\n")
        WebDriverWait(chrome, 20).until(
            lambda d: d.execute_script("return document.body.dataset.ready")
        )
        row = f'#rows tr[data-id="{fan}"]'
        allow = chrome.find_elements(By.CSS_SELECTOR, "#rows button.allow")
        assert {
            b.find_element(By.XPATH, "./ancestor::tr").get_attribute("data-id") for b in allow
        } <= {
            str(r["id"]) for r in Store(tmp_path / "m.db").flagged() if r["kind"] == "impersonation"
        }
        chrome.find_element(By.CSS_SELECTOR, f"{row} button.allow").click()
        assert _message(chrome, "allow list").endswith("on the allow list now: okx-fans.example")
        assert chrome.find_element(By.CSS_SELECTOR, f"{row} td.status").text == "false_positive"
        assert not chrome.find_element(By.CSS_SELECTOR, f"{row} button.allow").is_enabled()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert load(tmp_path / "allowed.txt") == {"okx-fans.example"}
