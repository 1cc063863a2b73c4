"""The MCP Apps views: their binding and metadata, and each one driven in a real browser by the real host code.

Headless Chromium (Debian's) opens a host page built on AppBridge from `@modelcontextprotocol/ext-apps`
(see views_kit.py). Each view is read from the server through an in-memory MCP client that advertises Apps,
mounted in a sandbox proxy that enforces the CSP the view declares, and fed real tool results from the
server running against the fake Anam API, which also serves the avatar images and voice samples.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client
from mcp.client.extension import advertise
from mcp.client.session import ElicitationFnT
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.types import CallToolResult, ElicitRequestParams, TextResourceContents
from playwright.async_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    FrameLocator,
    Page,
    Request,
    Route,
    async_playwright,
    expect,
)

from anam_fake import FakeAnam, make_avatars, make_voices
from anam_mcp.config import Settings
from anam_mcp.constants import ANAM_JS_SDK_URL, ANAM_MEDIA_ORIGINS
from anam_mcp.server import build_server
from anam_mcp.server.views import GALLERY_URI, LIVE_URI, VOICES_URI

from .helpers import answering, make_settings
from .views_kit import HOST_FILES, NpmKit, host_server, npm_kit, require

pytestmark = [pytest.mark.anyio, pytest.mark.weight(7)]
TIMEOUT_MS = 10_000  # a view answers in well under a second; fail fast when it does not
expect.set_options(timeout=TIMEOUT_MS)

APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
BOUND = {
    "search_avatars": GALLERY_URI,
    "search_voices": VOICES_URI,
    "create_session_token": LIVE_URI,
    "create_avatar": GALLERY_URI,
}
XSS = "<img src=x onerror=alert(1)>"
XSS_MARKER = '<img src=x onerror="window.pwned=1">'
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A microphone that exists and is granted when a view asks: whether a view may ask is the host's call.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    # Nothing resolves off this machine: a request the test did not route fails instead of leaving.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
HOST_CONTEXT = {
    "theme": "light",
    "displayMode": "inline",
    "availableDisplayModes": ["inline"],
    "containerDimensions": {"width": 640, "maxHeight": 4000},
    "locale": "en-GB",
    "platform": "web",
    "styles": {"variables": {"--color-background-primary": "rgb(250, 250, 252)"}},
}


def dump(model: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(by_alias=True, exclude_none=True, mode="json")
    return dumped


async def read_view(client: Client, uri: str) -> tuple[str, dict[str, Any]]:
    """A view's HTML and its `_meta.ui`."""
    (content,) = (await client.read_resource(uri)).contents
    assert isinstance(content, TextResourceContents)
    assert content.mime_type == APP_MIME_TYPE
    ui: dict[str, Any] = (content.meta or {})["ui"]
    return content.text, ui


# -- binding and metadata (no browser) ---------------------------------------------------------


async def test_the_tools_are_bound_to_their_views(settings: Settings) -> None:
    async with Client(build_server(settings), extensions=[APPS]) as client:
        tools = {tool.name: tool.meta for tool in (await client.list_tools()).tools}
        assert {name: (meta or {}).get("ui") for name, meta in tools.items() if meta} == {
            name: {"resourceUri": uri} for name, uri in BOUND.items()
        }
        listed = {r.uri: r.mime_type for r in (await client.list_resources()).resources if r.uri.startswith("ui://")}
        assert listed == dict.fromkeys(BOUND.values(), APP_MIME_TYPE)


async def test_each_view_declares_exactly_what_it_loads(settings: Settings) -> None:
    local = settings.base_url  # the fake on 127.0.0.1 serves its own media
    async with Client(build_server(settings), extensions=[APPS]) as client:
        metas = {uri: (await read_view(client, uri))[1] for uri in BOUND.values()}
    media = {"csp": {"resourceDomains": [*ANAM_MEDIA_ORIGINS, local]}, "prefersBorder": True}
    assert metas[GALLERY_URI] == media
    assert metas[VOICES_URI] == media
    assert metas[LIVE_URI] == {
        "csp": {
            "resourceDomains": ["https://unpkg.com"],
            "connectDomains": ["https://api.anam.ai", "https://*.anam.ai", "wss://*.anam.ai"],
        },
        "permissions": {"microphone": {}},
        "prefersBorder": True,
    }


async def test_media_domains_and_the_sdk_url_come_from_the_settings(fake: FakeAnam) -> None:
    settings = make_settings(
        fake, view_media_domains="https://media.example.com", js_sdk_url="https://cdn.example.com/anam.js"
    )
    async with Client(build_server(settings), extensions=[APPS]) as client:
        gallery = (await read_view(client, GALLERY_URI))[1]
        live_html, live = await read_view(client, LIVE_URI)
    assert gallery["csp"]["resourceDomains"] == ["https://media.example.com", fake.url]
    assert live["csp"]["resourceDomains"] == ["https://cdn.example.com"]
    assert '<meta name="anam-js-sdk" content="https://cdn.example.com/anam.js">' in live_html


async def test_views_are_self_contained_and_hold_no_secret(settings: Settings) -> None:
    assert settings.api_key is not None
    async with Client(build_server(settings), extensions=[APPS]) as client:
        pages = {uri: (await read_view(client, uri))[0] for uri in BOUND.values()}
    for uri, html in pages.items():
        assert settings.api_key.get_secret_value() not in html, uri
        # No script, style or image from outside: no src/href attributes and no <link> at all.
        assert not re.search(r"<(script|img|link|iframe)\b[^>]*\b(src|href)=", html, re.I), uri
        assert "<!-- include" not in html and "{{" not in html, uri
    # The live view's one outside script is Anam's SDK, from the pinned URL (loaded by its own code).
    assert f'content="{ANAM_JS_SDK_URL}"' in pages[LIVE_URI]
    assert "4.27.0" in ANAM_JS_SDK_URL


async def test_clients_without_apps_get_the_same_results(settings: Settings) -> None:
    async with Client(build_server(settings)) as plain, Client(build_server(settings), extensions=[APPS]) as apps:
        for name, arguments in (("search_avatars", {"limit": 3}), ("search_voices", {"query": "lucy"})):
            assert dump(await plain.call_tool(name, arguments)) == dump(await apps.call_tool(name, arguments))


async def test_view_metadata_validates_against_the_ext_apps_schema(settings: Settings) -> None:
    schema = npm_kit().schema

    def problems(definition: str, instance: Any) -> list[str]:
        validator = jsonschema.Draft202012Validator({"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]})
        return [error.message for error in validator.iter_errors(instance)]

    async with Client(build_server(settings), extensions=[APPS]) as client:
        for tool in (await client.list_tools()).tools:
            if tool.meta:
                assert problems("McpUiToolMeta", tool.meta["ui"]) == [], tool.name
        for uri in BOUND.values():
            assert problems("McpUiResourceMeta", (await read_view(client, uri))[1]) == [], uri
    assert problems("McpUiResourceMeta", {"csp": {"connectDomains": "https://x"}})  # the check can fail


def test_without_a_browser_the_tests_skip_but_never_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium not found"):
        require("chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have it"):
        require("chromium")


# -- in the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def kit() -> NpmKit:
    return npm_kit()


@pytest.fixture(scope="module")
def host_url(kit: NpmKit) -> Iterator[str]:
    with host_server(kit) as url:
        yield url


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    chromium = require("chromium")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the views' screenshots go: $ANAM_MCP_SCREENSHOTS, else a pytest temporary directory."""
    chosen = os.environ.get("ANAM_MCP_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("view-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def media_fake() -> Iterator[FakeAnam]:
    """The fake Anam API serving its own images and samples; every third voice has no sample."""
    voices = make_voices()
    for voice in voices[::3]:
        voice["sampleUrl"] = voice["previewSampleUrl"] = None
    with FakeAnam(voices=voices, serve_media=True) as fake:
        yield fake


@dataclass
class Host:
    """The host page, showing views from a server (through `client`) that talks to `fake`."""

    page: Page
    client: Client
    fake: FakeAnam
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def view(self) -> FrameLocator:
        return self.page.frame_locator("#view").frame_locator("iframe")

    async def mount(
        self,
        uri: str,
        tool_input: dict[str, Any],
        *,
        csp: dict[str, Any] | None = None,
        permissions: dict[str, Any] | None = None,
        model_context: bool = True,
    ) -> dict[str, Any]:
        """Show the view at `uri` as a host does, with the CSP and permissions it declares unless given."""
        html, ui = await read_view(self.client, uri)
        csp = ui.get("csp", {}) if csp is None else csp
        permissions = ui.get("permissions", {}) if permissions is None else permissions
        capabilities: dict[str, Any] = {
            "openLinks": {},
            "serverTools": {},
            "logging": {},
            "message": {"text": {}},
            "sandbox": {"csp": csp, "permissions": permissions},
        }
        if model_context:
            capabilities["updateModelContext"] = {"text": {}, "structuredContent": {}}
        await self.page.evaluate("window.resetHost()")
        mounted: dict[str, Any] = await self.page.evaluate(
            "args => window.mountView(args)",
            {
                "html": html,
                "csp": csp,
                "permissions": permissions,
                "hostContext": HOST_CONTEXT,
                "hostCapabilities": capabilities,
                "toolInput": tool_input,
            },
        )
        return mounted

    async def show(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        """Call the tool as the model would, and hand its result to the view."""
        result = await self.client.call_tool(name, arguments)
        await self.page.evaluate("result => window.bridge.sendToolResult(result)", dump(result))
        return result

    async def events(self, kind: str) -> list[dict[str, Any]]:
        recorded: list[dict[str, Any]] = await self.page.evaluate("window.hostEvents")
        return [event["params"] for event in recorded if event["kind"] == kind]

    async def wait_for_event(self, kind: str, count: int = 1) -> list[dict[str, Any]]:
        await self.page.wait_for_function(
            "([kind, count]) => window.hostEvents.filter(e => e.kind === kind).length >= count", arg=[kind, count]
        )
        return await self.events(kind)

    def errors(self) -> list[str]:
        return [line for line in self.console if line.startswith("error")]

    def outside(self) -> list[str]:
        """The URLs the page asked for off this machine."""
        return [url for url in self.requests if not url.startswith(("http://127.0.0.1", "http://localhost"))]


@dataclass
class HostPage:
    """The module's one host page (loaded once: a few seconds saved); each test plugs its `Host` into it."""

    page: Page
    current: Host | None = None

    @asynccontextmanager
    async def hosting(self, fake: FakeAnam, elicitation_callback: ElicitationFnT | None = None) -> AsyncIterator[Host]:
        server = build_server(make_settings(fake), local_files=True)  # as over stdio: a photo by path is read
        async with Client(server, extensions=[APPS], elicitation_callback=elicitation_callback) as client:
            self.current = Host(self.page, client, fake)
            try:
                yield self.current
            finally:
                self.current = None
                await self.page.evaluate("window.resetHost()")
                await self.page.unroute_all(behavior="ignoreErrors")


@pytest.fixture(scope="module")
async def host_page(browser: Browser, host_url: str) -> AsyncIterator[HostPage]:
    context = await browser.new_context(viewport={"width": 700, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    shared = HostPage(page)

    def console(message: ConsoleMessage) -> None:
        if shared.current:
            shared.current.console.append(f"{message.type}: {message.text}")

    def request(sent: Request) -> None:
        if shared.current:
            shared.current.requests.append(sent.url)

    async def dialog(opened: Dialog) -> None:
        if shared.current:
            shared.current.dialogs.append(opened.message)
        await opened.dismiss()

    async def call_tool(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        assert shared.current is not None
        return dump(await shared.current.client.call_tool(name, arguments))

    page.on("console", console)
    page.on("request", request)
    page.on("dialog", dialog)
    await page.expose_function("pyCallTool", call_tool)
    await page.goto(host_url)
    await page.wait_for_function("window.hostReady === true")
    yield shared
    await context.close()


@pytest.fixture
async def host(host_page: HostPage, media_fake: FakeAnam) -> AsyncIterator[Host]:
    async with host_page.hosting(media_fake) as opened:
        yield opened


async def loaded_images(view: FrameLocator) -> list[int]:
    images = view.locator("#avatars img")
    await expect(images.first).to_have_js_property("complete", True)
    widths: list[int] = await images.evaluate_all(
        "images => Promise.all(images.map(i => i.decode().then(() => i.naturalWidth, () => 0)))"
    )
    return widths


async def test_gallery_shows_searches_and_picks_avatars(host: Host, screenshots: Path) -> None:
    mounted = await host.mount(GALLERY_URI, {"limit": 6})
    assert mounted["appInfo"]["name"] == "anam-avatar-gallery"
    view = host.view
    result = await host.show("search_avatars", {"limit": 6})
    items = (result.structured_content or {})["items"]
    cards = view.locator("#avatars > li")
    await expect(cards).to_have_count(6)
    await expect(view.locator("#avatars .name")).to_have_text([item["display_name"] for item in items])
    assert all(width > 0 for width in await loaded_images(view))  # from the fake, allowed by the declared CSP
    assert await view.locator("#avatars img").count() == 6
    await expect(view.locator("#status")).to_contain_text("Showing 6 of 130 avatars")
    # The host's theme and CSS variables apply, and the view tells the host its height.
    assert await view.locator("html").get_attribute("data-theme") == "light"
    assert await view.locator("body").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(250, 250, 252)"
    sizes = await host.wait_for_event("ui/notifications/size-changed")
    assert sizes[-1]["width"] == 640 and sizes[-1]["height"] > 300
    await host.page.screenshot()  # let the host apply the last size before the picture
    await host.page.locator("#view").screenshot(path=str(screenshots / "avatar-gallery.png"))

    # The search box asks the server again, through the host.
    await view.locator("#query").fill("liv")
    await view.locator("#search button").click()
    await expect(view.locator("#avatars .name").first).to_have_text("Liv")
    calls = await host.events("tools/call")
    assert calls == [{"name": "search_avatars", "arguments": {"limit": 6, "query": "liv"}}]

    # Picking tells the model, silently, through its context.
    liv = view.locator("#avatars > li").first
    avatar_id = await liv.get_attribute("data-id")
    await liv.locator("button").click()
    (update,) = await host.wait_for_event("ui/update-model-context")
    assert update["structuredContent"] == {"avatar_id": avatar_id, "display_name": "Liv"}
    assert isinstance(update["content"], list) and avatar_id in update["content"][0]["text"]
    await expect(view.locator("#status")).to_contain_text(f"Picked Liv (home): {avatar_id}")
    await expect(liv.locator("button")).to_have_attribute("aria-pressed", "true")

    # The host switches to dark: the view follows.
    await host.page.evaluate("c => window.bridge.setHostContext(c)", {**HOST_CONTEXT, "theme": "dark"})
    await expect(view.locator("html")).to_have_attribute("data-theme", "dark")
    assert await host.page.evaluate("window.bridge.teardownResource({})") == {}
    assert host.errors() == []
    assert host.outside() == []
    assert not [url for url in host.requests if url.startswith(host.fake.url) and "/media/" not in url]


async def test_gallery_shows_a_new_avatar_and_deletes_your_own_after_asking(
    host_page: HostPage, media_fake: FakeAnam, tmp_path: Path
) -> None:
    photo = tmp_path / "me.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    creation = {"display_name": "Me at home", "image_path": str(photo)}
    asked: list[ElicitRequestParams] = []
    async with host_page.hosting(media_fake, answering("accept", True, asked)) as host:
        await host.mount(GALLERY_URI, creation)
        result = await host.show("create_avatar", creation)
        avatar_id = (result.structured_content or {})["avatar_id"]
        view = host.view
        mine = view.locator(f'#avatars > li[data-id="{avatar_id}"]')
        await expect(view.locator("#avatars > li")).to_have_count(1)
        await expect(mine.locator(".name")).to_have_text("Me at home")
        await expect(view.locator("#status")).to_contain_text("Created your avatar Me at home.")
        assert all(width > 0 for width in await loaded_images(view))

        # One click never deletes: the view asks, and keeping it sends nothing.
        await mine.locator(".delete").click()
        await expect(mine.locator(".remove")).to_contain_text("Delete for good?")
        await mine.locator(".keep").click()
        await expect(mine.locator(".delete")).to_be_visible()
        assert await host.events("tools/call") == []

        # Yes: delete_avatar through the host, the server asks the user too, and the card goes.
        await mine.locator(".delete").click()
        await mine.locator(".confirm").click()
        await expect(mine).to_have_count(0)
        await expect(view.locator("#status")).to_have_text("Deleted Me at home.")
        assert await host.events("tools/call") == [{"name": "delete_avatar", "arguments": {"avatar_id": avatar_id}}]
        (question,) = asked
        assert "Me at home" in question.message
        assert len(media_fake.requests_to(f"/v1/avatars/{avatar_id}", "DELETE")) == 1

        # A search from here takes the search's own arguments only; stock avatars offer no delete.
        await view.locator("#query").fill("cara")
        await view.locator("#search button").click()
        await expect(view.locator("#avatars .name").first).to_have_text("Cara")
        assert (await host.events("tools/call"))[-1] == {"name": "search_avatars", "arguments": {"query": "cara"}}
        stock = view.locator("#avatars > li").filter(has=view.locator(".badge", has_text="Stock"))
        assert await stock.count() > 0
        await expect(stock.locator(".delete")).to_have_count(0)
        assert host.errors() == []
        assert host.outside() == []


async def test_picking_sends_a_message_where_the_host_has_no_model_context(host: Host) -> None:
    await host.mount(GALLERY_URI, {"query": "cara"}, model_context=False)
    await host.show("search_avatars", {"query": "cara"})
    first = host.view.locator("#avatars > li").first
    avatar_id = await first.get_attribute("data-id")
    await first.locator("button").click()
    (message,) = await host.wait_for_event("ui/message")
    assert message["role"] == "user"
    assert message["content"] == [{"type": "text", "text": f"Use the avatar Cara (desk), avatar_id {avatar_id}."}]
    assert await host.events("ui/update-model-context") == []


async def test_voice_browser_plays_samples_searches_and_picks(host: Host, screenshots: Path) -> None:
    await host.mount(VOICES_URI, {"limit": 5})
    view = host.view
    result = await host.show("search_voices", {"limit": 5})
    items = (result.structured_content or {})["items"]
    rows = view.locator("#voices > li")
    await expect(rows).to_have_count(5)
    await expect(view.locator("#voices .name")).to_have_text([item["display_name"] for item in items])
    with_sample = [i for i, item in enumerate(items) if item["sample_url"]]
    assert 0 < len(with_sample) < 5
    for i in range(5):
        await expect(rows.nth(i).locator(".play")).to_have_count(1 if i in with_sample else 0)
        if i not in with_sample:
            await expect(rows.nth(i)).to_contain_text("No sample")

    # A click plays the sample (a WAV from the fake); a second click pauses it.
    first = rows.nth(with_sample[0])
    await first.locator(".play").click()
    audio = first.locator("audio")
    await expect(audio).to_have_js_property("paused", False)
    await audio.evaluate("a => new Promise(r => a.currentTime > 0 ? r() : a.addEventListener('timeupdate', r))")
    await expect(first.locator(".play")).to_have_text("❚❚ Pause")
    await host.page.locator("#view").screenshot(path=str(screenshots / "voice-browser.png"))
    await first.locator(".play").click()
    await expect(audio).to_have_js_property("paused", True)

    await view.locator("#query").fill("lucy")
    await view.locator("#search button").click()
    await expect(view.locator("#voices .name").first).to_have_text("Lucy - Fresh & Casual")
    assert await host.events("tools/call") == [{"name": "search_voices", "arguments": {"limit": 5, "query": "lucy"}}]
    lucy = view.locator("#voices > li").first
    await lucy.locator(".use").click()
    (update,) = await host.wait_for_event("ui/update-model-context")
    assert update["structuredContent"]["voice_id"] == await lucy.get_attribute("data-id")
    assert host.errors() == []
    assert host.outside() == []


async def test_names_from_anam_render_as_text(host_page: HostPage) -> None:
    avatars = [{**make_avatars(2)[0], "displayName": XSS, "variantName": XSS_MARKER}]
    voices = [{**make_voices(2)[1], "displayName": XSS_MARKER, "description": XSS}]
    with FakeAnam(avatars=avatars, voices=voices, serve_media=True) as fake:
        async with host_page.hosting(fake) as host:
            await host.mount(GALLERY_URI, {})
            await host.show("search_avatars", {})
            await expect(host.view.locator("#avatars .name")).to_have_text([XSS])
            await expect(host.view.locator("#avatars .variant")).to_have_text([XSS_MARKER])
            assert await host.view.locator("img").count() == 1  # the avatar's own picture only
            await host.mount(VOICES_URI, {})
            await host.show("search_voices", {})
            await expect(host.view.locator("#voices .name")).to_have_text([XSS_MARKER])
            await expect(host.view.locator("#voices .description")).to_have_text([XSS])
            assert await host.view.locator("img").count() == 0
            assert await host.view.locator("body").evaluate("() => window.pwned") is None
            assert host.dialogs == []


@pytest.mark.parametrize(
    ("uri", "tool", "arguments", "expected"),
    [
        (GALLERY_URI, "search_avatars", {"limit": 0}, "limit"),
        (VOICES_URI, "search_voices", {"gender": "robot"}, "gender"),
        (LIVE_URI, "create_session_token", {"avatar_id": "00000000-0000-4000-8000-000000000000"}, "404"),
    ],
)
async def test_an_error_result_shows_its_message(
    host: Host, uri: str, tool: str, arguments: dict[str, Any], expected: str
) -> None:
    await host.mount(uri, arguments)
    result = await host.show(tool, arguments)
    assert result.is_error
    message = result.content[0].text  # type: ignore[union-attr]
    await expect(host.view.locator("#error")).to_have_text(message)
    assert expected in message
    await expect(host.view.locator("#error")).to_be_visible()
    if uri == LIVE_URI:
        await expect(host.view.locator("#start")).to_be_disabled()


async def test_media_the_host_blocks_degrade_to_placeholders_and_messages(host: Host) -> None:
    await host.mount(GALLERY_URI, {"limit": 3}, csp={})  # a host that allows no outside origin at all
    await host.show("search_avatars", {"limit": 3})
    view = host.view
    await expect(view.locator("#avatars .placeholder")).to_have_count(3)
    await expect(view.locator("#note")).to_contain_text("3 image(s) could not be loaded")
    await expect(view.locator("#avatars .name")).to_have_count(3)  # names stay
    await host.mount(VOICES_URI, {"limit": 5}, csp={})
    await host.show("search_voices", {"limit": 5})
    playable = host.view.locator("#voices > li").filter(has=host.view.locator(".play")).first
    await playable.locator(".play").click()
    await expect(playable.locator(".error")).to_have_text(
        "The sample could not be loaded: the host may block Anam's audio host."
    )
    assert any("Content Security Policy" in line for line in host.errors())


async def route_sdk(host: Host, body: Path) -> None:
    async def serve(route: Route) -> None:
        await route.fulfill(path=body, content_type="text/javascript")

    await host.page.route(lambda url: url == ANAM_JS_SDK_URL, serve)


async def test_live_view_starts_the_persona_from_the_minted_token(host: Host, screenshots: Path) -> None:
    await route_sdk(host, HOST_FILES / "anam_stand_in.js")
    await host.mount(LIVE_URI, {})
    result = await host.show("create_session_token", {"name": "Mia"})
    token = (result.structured_content or {})["session_token"]
    view = host.view
    await expect(view.locator("#status")).to_have_text(
        "Ready to talk to Mia. Starting uses the token: it is good for one session."
    )
    await view.locator("#start").click()
    await expect(view.locator("#status")).to_have_text("Live: talk to the persona.")
    await expect(view.locator("#microphone")).to_have_text("Microphone on: speak, or type your messages below.")
    await view.locator("#message").fill("Hello there")
    await view.locator("#say button").click()
    await expect(view.locator("#transcript li")).to_have_text(["You: Hello there", "Persona: You said: Hello there"])
    assert await view.locator("video").evaluate("v => !v.paused && v.videoWidth > 0")
    await host.page.locator("#view").screenshot(path=str(screenshots / "live-persona.png"))
    await view.locator("#stop").click()
    await expect(view.locator("#status")).to_contain_text("Stopped. The token is spent")
    calls = await view.locator("body").evaluate("() => window.anamCalls")
    assert calls == [
        {"method": "createClient", "sessionToken": token, "options": {}},
        {
            "method": "streamToVideoElement",
            "videoElementId": "persona-video",
            "isVideoElement": True,
            "withMicrophone": True,
        },
        {"method": "sendUserMessage", "content": "Hello there"},
        {"method": "stopStreaming"},
    ]
    assert host.errors() == []
    assert host.outside() == [ANAM_JS_SDK_URL]  # the one outside script, from the pinned URL


async def test_live_view_works_by_text_where_the_host_denies_the_microphone(host: Host) -> None:
    await route_sdk(host, HOST_FILES / "anam_stand_in.js")
    await host.mount(LIVE_URI, {}, permissions={})  # as ChatGPT desktop and Codex do
    await host.show("create_session_token", {})
    view = host.view
    await view.locator("#start").click()
    await expect(view.locator("#status")).to_have_text("Live: talk to the persona.")
    await expect(view.locator("#microphone")).to_have_text(
        "This host does not allow the microphone here: type your messages below."
    )
    await view.locator("#message").fill("Typed, not spoken")
    await view.locator("#say button").click()
    calls = await view.locator("body").evaluate("() => window.anamCalls")
    assert calls[0]["options"] == {"disableInputAudio": True}
    assert calls[1]["withMicrophone"] is False
    assert calls[2] == {"method": "sendUserMessage", "content": "Typed, not spoken"}
    # The host removes the view: it ends the conversation first.
    assert await host.page.evaluate("window.bridge.teardownResource({})") == {}
    assert (await view.locator("body").evaluate("() => window.anamCalls"))[-1] == {"method": "stopStreaming"}


async def test_live_view_runs_anams_real_sdk(host: Host, kit: NpmKit) -> None:
    """Anam's real UMD build, from npm, with api.anam.ai answering 401: the SDK's own error reaches the user."""
    seen: list[Request] = []

    async def anam_api(route: Route) -> None:
        seen.append(route.request)
        cors = {"access-control-allow-origin": "*", "access-control-allow-headers": "*"}
        await route.fulfill(status=401, json={"message": "Unauthorized"}, headers=cors)

    await route_sdk(host, kit.anam_umd)
    await host.page.route("https://api.anam.ai/**", anam_api)
    await host.mount(LIVE_URI, {}, permissions={})
    result = await host.show("create_session_token", {})
    token = (result.structured_content or {})["session_token"]
    await host.view.locator("#start").click()
    await expect(host.view.locator("#error")).to_contain_text("Authentication failed when starting session")
    await expect(host.view.locator("#start")).to_be_enabled()
    session = [r for r in seen if r.url.endswith("/v1/engine/session") and r.method == "POST"]
    assert session and (await session[0].all_headers())["authorization"] == f"Bearer {token}"
