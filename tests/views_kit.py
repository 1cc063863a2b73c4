"""The host side of the views' browser tests: the official AppBridge, a host page and a sandbox proxy.

npm installs the pinned `@modelcontextprotocol/ext-apps` (the host implementation), `esbuild` and Anam's
JS SDK into a cache outside the repository; esbuild bundles AppBridge into one ES module. One loopback
server serves the host page (as 127.0.0.1) and the sandbox proxy (as localhost: another origin and site),
the proxy with the view's declared CSP as its Content-Security-Policy header.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from anam_mcp.constants import ANAM_JS_SDK_VERSION

EXT_APPS = "@modelcontextprotocol/ext-apps@2.0.4"
ESBUILD = "esbuild@0.28.2"
ANAM_SDK = f"@anam-ai/js-sdk@{ANAM_JS_SDK_VERSION}"
PINS = (EXT_APPS, ESBUILD, ANAM_SDK)

HOST_FILES = Path(__file__).parent / "views_host"
CACHE = Path(os.environ.get("ANAM_MCP_TEST_CACHE") or Path.home() / ".cache" / "anam-mcp-tests")


def require(program: str) -> str:
    """The path of `program`. Without it the test is skipped, except under CI=true, where it fails."""
    found = shutil.which(program)
    if found:
        return found
    reason = f"{program} not found: the views' browser tests need Debian's chromium and Node's npm"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must have it (.ci/run installs chromium)")
    pytest.skip(reason)


@dataclass(frozen=True)
class NpmKit:
    """What the tests take from npm, installed once per set of pinned versions."""

    home: Path

    @property
    def app_bridge(self) -> Path:
        return self.home / "app-bridge.js"

    @property
    def schema(self) -> dict[str, Any]:
        """ext-apps' JSON Schemas (draft 2020-12): McpUiToolMeta, McpUiResourceMeta, ..."""
        path = self.home / "node_modules/@modelcontextprotocol/ext-apps/dist/src/generated/schema.json"
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    @property
    def anam_umd(self) -> Path:
        return self.home / "node_modules/@anam-ai/js-sdk/dist/umd/anam.js"


def npm_kit() -> NpmKit:
    """Install the pins into the cache (first use only; built aside, then moved in) and bundle AppBridge."""
    npm = require("npm")
    home = CACHE / ("npm-" + hashlib.sha256(" ".join(PINS).encode()).hexdigest()[:12])
    if (home / "app-bridge.js").is_file():
        return NpmKit(home)
    CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=CACHE))
    try:
        (work / "package.json").write_text('{"name": "anam-mcp-test-host", "private": true}\n', encoding="utf-8")
        quiet = ["--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
        subprocess.run([npm, "install", *quiet, *PINS], cwd=work, check=True, capture_output=True, timeout=600)
        entry = "node_modules/@modelcontextprotocol/ext-apps/dist/src/app-bridge.js"
        esbuild = [str(work / "node_modules/.bin/esbuild"), "--bundle", "--minify", "--format=esm"]
        bundle = [*esbuild, "--platform=browser", "--log-level=warning", entry, "--outfile=app-bridge.js"]
        subprocess.run(bundle, cwd=work, check=True, capture_output=True, timeout=120)
        work.rename(home)
    except OSError:
        if not (home / "app-bridge.js").is_file():  # not a concurrent run that got there first
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return NpmKit(home)


def content_security_policy(csp: Mapping[str, Any]) -> str:
    """The policy a strict host applies for a view's `_meta.ui.csp` (the spec's defaults, plus what it declares)."""

    def sources(key: str) -> str:
        return " ".join(d for d in csp.get(key) or [] if isinstance(d, str) and not set(d) & set(";,'\" \r\n"))

    resources, connect = sources("resourceDomains"), sources("connectDomains")
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' 'unsafe-inline' {resources}".strip(),
            f"style-src 'self' 'unsafe-inline' {resources}".strip(),
            f"img-src 'self' data: {resources}".strip(),
            f"font-src 'self' data: {resources}".strip(),
            f"media-src 'self' data: {resources}".strip(),
            f"connect-src {connect}" if connect else "connect-src 'none'",
            "frame-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ]
    )


def _handler(routes: Mapping[str, tuple[Path, str]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            # The bundle is fixed for the session: let the browser keep it; the rest changes per test.
            headers = {"Cache-Control": "max-age=3600" if url.path == "/app-bridge.js" else "no-store"}
            if url.path == "/sandbox.html":
                csp = json.loads(parse_qs(url.query).get("csp", ["{}"])[0])
                headers["Content-Security-Policy"] = content_security_policy(csp)
            if url.path not in routes:
                self.send_response(204 if url.path == "/favicon.ico" else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path, content_type = routes[url.path]
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def host_server(kit: NpmKit) -> Iterator[str]:
    """Serve the host page; yields its URL. The sandbox proxy is the same server under the name localhost."""
    html, js = "text/html; charset=utf-8", "text/javascript"
    routes = {
        "/host.html": (HOST_FILES / "host.html", html),
        "/host.js": (HOST_FILES / "host.js", js),
        "/sandbox.html": (HOST_FILES / "sandbox.html", html),
        "/app-bridge.js": (kit.app_bridge, js),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(routes))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="views-host", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/host.html"
    finally:
        server.shutdown()
        server.server_close()
