"""A headless Chromium shared by the browser tests, skipped with a
clear message when none exists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chromium import FLAGS, LAPTOP, binaries, start
from selenium import webdriver


@pytest.fixture(scope="session")
def chrome() -> Iterator[webdriver.Chrome]:
    """One browser for the session; the tests navigate it and drain its network log."""
    found = binaries()
    if found is None:
        pytest.skip(
            "no headless browser: install Debian's chromium and chromium-driver "
            "(.ci/run does) to run the browser tests"
        )
    driver = start(*found)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()



@pytest.fixture
def laptop(chrome: webdriver.Chrome) -> Iterator[webdriver.Chrome]:
    """The shared browser with a 1366x768 viewport, put back to its usual size afterwards."""
    chrome.set_window_size(*LAPTOP)
    extra_w = chrome.execute_script("return window.outerWidth - window.innerWidth")
    extra_h = chrome.execute_script("return window.outerHeight - window.innerHeight")
    chrome.set_window_size(LAPTOP[0] + extra_w, LAPTOP[1] + extra_h)
    yield chrome
    chrome.delete_all_cookies()  # the next test signs in as if new
    usual = next(f for f in FLAGS if f.startswith("--window-size=")).split("=")[1].split(",")
    chrome.set_window_size(int(usual[0]), int(usual[1]))
