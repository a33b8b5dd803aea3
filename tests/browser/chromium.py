"""Headless Chromium through selenium and Debian's chromedriver: start, network log, screenshots."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[2]
LAPTOP = (1366, 768)  # the viewport the pages must fit: a laptop's
SCREENSHOTS = ROOT / "out" / "test-screenshots"  # kept after the run so a person can look
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000")


def binaries() -> tuple[str, str] | None:
    """Paths of chromium and chromedriver, or None when either is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def start(browser: str, driver: str) -> webdriver.Chrome:
    """A headless Chromium with a fresh profile and the network log switched on."""
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='monitor-chromium-')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def requested_urls(chrome: webdriver.Chrome) -> list[str]:
    """URLs the browser asked for since the last call (the log is drained by reading it).

    Requests made by or for chrome:// documents are left out: that is the browser's own start page.
    """
    urls = []
    for entry in chrome.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            params = message["params"]
            url, document = params["request"]["url"], params.get("documentURL", "")
            if not (url.startswith("chrome://") or document.startswith("chrome://")):
                urls.append(url)
    return urls


def screenshot(chrome: webdriver.Chrome, folder: Path, name: str) -> Path:
    """Save a PNG in the test's folder and in out/test-screenshots/."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    chrome.save_screenshot(str(path))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SCREENSHOTS / name)
    return path
