"""Headless Chromium opens the report: it renders, its charts load, the console stays clean.

Drives Debian's ``chromium`` through ``chromedriver`` with plain W3C WebDriver calls (HTTP), so
no browser-automation package is needed. Skips, saying why, where either is not installed.
"""

from __future__ import annotations

import base64
import io
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.report.conftest import HandBuilt
from trendminer.report import build_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or not Path(CHROMEDRIVER).exists(),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)

PAGE_STATE = """
const images = Array.from(document.images).map(i => ({src: i.getAttribute('src'),
  loaded: i.complete && i.naturalWidth > 0}));
return {title: document.title, text: document.body.innerText.length,
        sections: document.querySelectorAll('section').length, images: images};
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebDriver:
    """The few W3C WebDriver calls the test needs."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=60)
        capabilities = {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": str(CHROMIUM),
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--window-size=1100,1400",
                ],
            },
        }
        answer = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = f"/session/{answer['sessionId']}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.client.request(method, path, json=body)
        response.raise_for_status()
        return response.json()["value"]

    def open(self, url: str) -> None:
        self._call("POST", f"{self.session}/url", {"url": url})

    def run(self, script: str) -> Any:
        return self._call("POST", f"{self.session}/execute/sync", {"script": script, "args": []})

    def console(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self._call(
            "POST", f"{self.session}/se/log", {"type": "browser"}
        )
        return entries

    def screenshot(self) -> bytes:
        return base64.b64decode(self._call("GET", f"{self.session}/screenshot"))

    def quit(self) -> None:
        self._call("DELETE", self.session)
        self.client.close()


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    port = _free_port()
    driver = subprocess.Popen(
        [CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/status", timeout=2).json()["value"]["ready"]:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        web = WebDriver(base)
        yield web
        web.quit()
    finally:
        driver.terminate()
        driver.wait(timeout=10)


def test_chromium_renders_the_report(
    hand_built: HandBuilt, browser: WebDriver, tmp_path: Path
) -> None:
    folder = build_report(hand_built.engine, hand_built.settings, hand_built.day)
    browser.open((folder / "index.html").as_uri())
    state = browser.run(PAGE_STATE)
    assert state["title"] == "TrendMiner report 2026-06-03"
    assert state["sections"] >= 9
    assert state["text"] > 1000
    charts = [i for i in state["images"] if i["src"].endswith(".png")]
    crops = [i for i in state["images"] if i["src"].startswith("crops/")]
    assert {i["src"] for i in charts} == {"activity.png", "sentiment.png"}
    assert len(crops) == 3
    assert all(i["loaded"] for i in state["images"]), state["images"]
    errors = [e for e in browser.console() if e["level"] == "SEVERE"]
    assert errors == []
    shot = browser.screenshot()
    (tmp_path / "report.png").write_bytes(shot)
    with Image.open(io.BytesIO(shot)) as picture:
        colours = picture.convert("RGB").getcolors(maxcolors=1 << 20) or []
        background = max(count for count, _ in colours)
        assert picture.width >= 1000
        assert len(colours) > 200  # text, charts, borders: not a blank page
        assert background < 0.9 * picture.width * picture.height


def test_a_missing_chart_is_caught(hand_built: HandBuilt, browser: WebDriver) -> None:
    folder = build_report(hand_built.engine, hand_built.settings, hand_built.day)
    (folder / "activity.png").unlink()
    browser.open((folder / "index.html").as_uri())
    state = browser.run(PAGE_STATE)
    broken = [i["src"] for i in state["images"] if not i["loaded"]]
    assert broken == ["activity.png"]
    assert any(e["level"] == "SEVERE" for e in browser.console())
