"""The three views live in the MCP Inspector 2.x, the README's way: its command, run as written from the checkout
(npx fetches Node 22 and the Inspector; the Inspector starts `uv run anam-mcp --demo` over stdio), then the clicks
the README describes, in Debian's Chromium, until each view shows the tool's result from the sample data."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from .helpers import ROOT, npx_env, require_npm
from .test_views import CHROMIUM_ARGS
from .views_kit import require

pytestmark = [pytest.mark.anyio, pytest.mark.weight(25)]

INSPECTOR = "@modelcontextprotocol/inspector@2.12.0"
# The first run downloads Node 22 and the Inspector from npm.
START_SECONDS = 300
TIMEOUT_MS = 30_000
# Each view, by the title the Inspector lists it under, and what it shows once the tool's result has reached it.
VIEWS = {
    "Search Anam avatars": "Showing 20 of 130 avatars.",
    "Search Anam voices": "Showing 20 of 450 voices.",
    "Create an Anam session token": "Ready to talk to the persona.",
}


def readme_command() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- views-inspector -->\s*```bash\n(.*?)```", text, re.S)
    assert block, "the README lost its command for the views in the Inspector"
    command = block.group(1).strip()
    assert INSPECTOR in command and "-p node@22" in command
    return command


def free_port() -> int:
    """A port free on 127.0.0.1 now: the Inspector's web server needs a fixed one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def inspector_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The README's command, run by bash in the checkout; yields the URL it prints, which carries its token."""
    require("chromium")  # skips (outside CI) before anything is downloaded
    require_npm(INSPECTOR)
    log = tmp_path_factory.mktemp("inspector") / "inspector.log"
    # What the Inspector reads besides its command line: where to listen, its token, no browser of its own.
    env = npx_env() | {
        "HOST": "127.0.0.1",
        "CLIENT_PORT": str(free_port()),
        "MCP_SANDBOX_PORT": "0",
        "MCP_AUTO_OPEN_ENABLED": "false",
        "MCP_INSPECTOR_API_TOKEN": secrets.token_hex(16),
        "MCP_INSPECTOR_SECRET_STORE": "memory",
        "npm_config_loglevel": "error",
    }
    with log.open("wb") as output:
        # A session of its own: npx, the Inspector and the server it starts are stopped together.
        process = subprocess.Popen(
            ["bash", "-c", readme_command()], cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True
        )
    try:
        yield _printed_url(process, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _printed_url(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        written = log.read_text(encoding="utf-8", errors="replace")
        if found := re.search(r"http://127\.0\.0\.1:\d+\?MCP_INSPECTOR_API_TOKEN=\w+", written):
            return found.group(0)
        if process.poll() is not None:
            raise AssertionError(f"the Inspector exited ({process.returncode}): {written[-3000:]}")
        time.sleep(0.1)
    raise AssertionError(f"the Inspector did not start within {START_SECONDS} s: {log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
async def page(inspector_url: str) -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=require("chromium"), args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        opened = await context.new_page()
        await opened.goto(inspector_url)
        yield opened
        await browser.close()


async def test_the_readme_command_shows_each_view_in_the_inspector(page: Page) -> None:
    await page.get_by_role("switch", name='Connect or disconnect "uv"').check(force=True)
    await expect(page.get_by_test_id("connection-status")).to_have_attribute(
        "data-status", "connected", timeout=TIMEOUT_MS
    )
    await page.get_by_text("Apps", exact=True).click()
    view = page.frame_locator('iframe[src*="/sandbox"]').frame_locator("iframe")
    for title, shown in VIEWS.items():
        await page.get_by_text(title, exact=True).click()
        await page.get_by_test_id("open-app").click()
        await expect(view.get_by_text(shown)).to_be_visible(timeout=TIMEOUT_MS)
        await expect(page.get_by_test_id("apps-form")).to_have_attribute("data-app-status", "ready")
    # The gallery showed pictures that the fake served: the view's CSP let its origin through.
    await page.get_by_text("Search Anam avatars", exact=True).click()
    await page.get_by_test_id("open-app").click()
    await expect(view.locator("img").first).to_have_js_property("naturalWidth", 240, timeout=TIMEOUT_MS)
