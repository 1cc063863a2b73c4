"""Real MCP clients from npm against `anam-mcp --http`: the MCP Inspector CLI, Claude Code, and the MCP
conformance suite.

Two servers: one where callers bring their own Anam key (the Inspector and Claude Code send it as a
header), and one with a server key and an access token, for clients that can only be given a URL (the
conformance suite has no header option; claude.ai's custom connectors neither). Every client run is a
separate process, and they all start together. The Inspector's tool calls over HTTP, with the key as a
header, are the persona lifecycle in test_inspector.py.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from anam_fake import FakeAnam

from .helpers import ROOT, installed, npm_unavailable, npx_env
from .http_server import HttpServer, http_env, http_server
from .test_claude_code import CLAUDE_CODE, claude
from .test_inspector import INSPECTOR

CONFORMANCE = "@modelcontextprotocol/conformance@0.2.0-alpha.12"
BASELINE = ROOT / "tests" / "conformance" / "expected-failures.yml"
TOKEN = "conformance-token-0123456789"
_SECONDS = 300

pytestmark = pytest.mark.weight(14)

Run = subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as running:
        yield running


@pytest.fixture(scope="module")
def byok(fake: FakeAnam) -> Iterator[HttpServer]:
    with http_server(http_env(fake)) as running:
        yield running


@pytest.fixture(scope="module")
def with_token(fake: FakeAnam) -> Iterator[HttpServer]:
    with http_server(http_env(fake, ANAM_API_KEY=fake.api_key, ANAM_MCP_TOKENS=TOKEN)) as running:
        yield running


def npx(*args: str) -> Run:
    return subprocess.run(
        ["npx", "-y", *args], env=npx_env(), capture_output=True, text=True, timeout=_SECONDS, check=False
    )


def inspector(server: HttpServer, *args: str, key: str | None, readme: bool = False) -> Run:
    """With `readme`, through npx as the README shows; otherwise the same Inspector started directly."""
    header = ["--header", f"Authorization: Bearer {key}"] if key else []
    options = ["--cli", server.mcp, "--transport", "http", *header, *args]
    if readme:
        return npx(INSPECTOR, *options)
    command = [installed(INSPECTOR, "mcp-inspector"), *options]
    return subprocess.run(command, env=npx_env(), capture_output=True, text=True, timeout=_SECONDS, check=False)


def claude_code(home: Path, byok: HttpServer, with_token: HttpServer, key: str) -> Run:
    """The README's `claude mcp add --transport http` three ways, then `claude mcp list`."""
    project = home.parent / "project"
    home.mkdir()
    project.mkdir()
    for added in (
        ["anam", byok.mcp, "--header", f"Authorization: Bearer {key}"],
        ["anam-url", f"{with_token.url}/mcp/t/{TOKEN}"],
        ["anam-no-key", byok.mcp],
    ):
        done = claude(["mcp", "add", "--transport", "http", *added], home, project)
        assert done.returncode == 0, done.stdout + done.stderr
    return claude(["mcp", "list"], home, project)


def conformance(server: HttpServer, output: Path) -> Run:
    return npx(
        "-p", "node@22", "-p", CONFORMANCE, "--",
        "conformance", "server", "--url", f"{server.url}/mcp/t/{TOKEN}", "--suite", "all",
        "--expected-failures", str(BASELINE), "-o", str(output),
    )  # fmt: skip


@pytest.fixture(scope="module")
def runs(
    fake: FakeAnam, byok: HttpServer, with_token: HttpServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Run | str]:
    """Every client run of this module, by name; where its npm package cannot be had, why not instead."""
    jobs: dict[str, tuple[str, Callable[[], Run]]] = {
        "inspector list": (INSPECTOR, lambda: inspector(byok, "--method", "tools/list", key=fake.api_key, readme=True)),
        "inspector without a key": (INSPECTOR, lambda: inspector(byok, "--method", "tools/list", key=None)),
        "claude code": (
            CLAUDE_CODE,
            lambda: claude_code(tmp_path_factory.mktemp("claude") / "home", byok, with_token, fake.api_key),
        ),
        "conformance": (CONFORMANCE, lambda: conformance(with_token, tmp_path_factory.mktemp("conformance"))),
    }

    def run(package: str, job: Callable[[], Run]) -> Run | str:
        return npm_unavailable(package) or job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        started = {name: pool.submit(run, package, job) for name, (package, job) in jobs.items()}
        return {name: future.result() for name, future in started.items()}


def finished(runs: dict[str, Run | str], name: str) -> Run:
    """The run called `name`; the test is skipped, saying why, if it could not run here."""
    run = runs[name]
    if isinstance(run, str):
        pytest.skip(run)
    return run


def test_inspector_lists_the_tools_over_http_with_a_header(runs: dict[str, Run | str]) -> None:
    done = finished(runs, "inspector list")
    assert done.returncode == 0, done.stdout + done.stderr
    listed = json.loads(done.stdout[done.stdout.index("{") :])
    assert len(listed["tools"]) == 12


def test_inspector_without_a_key_is_told_what_to_send(runs: dict[str, Run | str]) -> None:
    done = finished(runs, "inspector without a key")
    assert done.returncode == 1
    assert "Authorization: Bearer <your Anam API key>" in done.stdout + done.stderr


def test_claude_code_connects_with_a_header_and_with_a_secret_url(runs: dict[str, Run | str]) -> None:
    done = finished(runs, "claude code")
    assert done.returncode == 0, done.stdout + done.stderr
    status = {line.split(":", 1)[0]: line for line in done.stdout.splitlines() if line.startswith("anam")}
    assert "Connected" in status["anam"], done.stdout
    assert "Connected" in status["anam-url"], done.stdout
    assert "Failed to connect" in status["anam-no-key"], done.stdout


def test_the_conformance_suite_finds_no_failure_outside_the_baseline(runs: dict[str, Run | str]) -> None:
    done = finished(runs, "conformance")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Baseline check passed" in done.stdout + done.stderr
