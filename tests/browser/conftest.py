"""A headless Chromium shared by the browser tests, skipped with a
clear message when none exists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chromium import binaries, start
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
