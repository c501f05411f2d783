"""Browser test: the Dagster UI starts on the project and shows the asset graph."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .browser import browser_page, free_port, require_chromium, serve

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "dagster-asset-graph.png"


@pytest.mark.slow
def test_ui_shows_the_asset_graph(tmp_path):
    require_chromium()
    port = free_port()
    webserver = Path(sys.executable).parent / "dagster-webserver"
    command = [str(webserver), "-h", "127.0.0.1", "-p", str(port), "-m", "orchestration.definitions"]
    with (
        serve(command, f"http://127.0.0.1:{port}/server_info", env={"DAGSTER_HOME": str(tmp_path)}),
        browser_page() as page,
    ):
        page.goto(f"http://127.0.0.1:{port}/asset-groups", wait_until="networkidle")
        with contextlib.suppress(PlaywrightTimeout):  # a new DAGSTER_HOME shows a newsletter dialog
            page.get_by_role("button", name="Skip").click(timeout=15_000)
        page.get_by_text("raw_customer_service").first.wait_for(timeout=30_000)
        page.wait_for_timeout(2000)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        body = page.inner_text("body")
    for group in ("raw_marketing", "raw_sales", "raw_delivery", "raw_customer_service", "published"):
        assert group in body
    assert SCREENSHOT.stat().st_size > 20_000
