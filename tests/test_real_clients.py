"""Real MCP clients from npm, each run once, all at the same time: the MCP Inspector CLI, Claude Code and the
MCP conformance suite, against anam-mcp over stdio (started the README's ways, with uvx from this checkout)
and against `anam-mcp --http`.

- The Inspector: once the README's way over stdio (npx, then the server with uvx), and over HTTP with the key
  as a header: a session token; an avatar made from a photo's URL; a persona invited to a meeting; a persona
  taught from inline text, then a search of what it learnt. Each tools/call run lists the tools
  first and checks the result's structuredContent against the tool's outputSchema with its own validator.
- Claude Code: one `claude mcp list` over every entry the README gives: `claude mcp add` over stdio, the
  Claude Desktop JSON entry as written (`claude mcp add-json`), and over HTTP with a header, with a secret
  URL, and without a key (which must fail).
- The conformance suite, against a server with a server key and an access token in the URL (it has no header
  option; neither do claude.ai's custom connectors).

Every tool, resource and prompt is called, its output checked against its schema, by the SDK's clients
(tests/test_tools_e2e.py and test_lifecycle.py in memory, tests/test_http_e2e.py over HTTP in both eras).
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from anam_fake import FakeAnam

from .helpers import ROOT, installed, network_env, npm_unavailable, npx_env
from .http_server import HttpServer, http_env, http_server
from .test_readme import readme_entry
from .tls_server import Document, TlsServer, tls_server

INSPECTOR = "@modelcontextprotocol/inspector@0.22.0"
CLAUDE_CODE = "@anthropic-ai/claude-code@2.1.197"
CONFORMANCE = "@modelcontextprotocol/conformance@0.2.0-alpha.12"
BASELINE = ROOT / "tests" / "conformance" / "expected-failures.yml"
TOKEN = "conformance-token-0123456789"
MEET = "https://meet.google.com/abc-defg-hij"
KNOWLEDGE = "The mummies rest on the second floor of the Egypt room."
_SECONDS = 300

Run = subprocess.CompletedProcess[str]

pytestmark = pytest.mark.weight(30)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnam]:
    with FakeAnam() as running:
        yield running


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    """A photo on the web (https on this machine, which the HTTP server's settings admit)."""
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 1000 + b"\xff\xd9"
    with tls_server(tmp_path_factory.mktemp("photos"), {"/me.jpg": Document(jpeg, "image/jpeg")}) as running:
        yield running


@pytest.fixture(scope="module")
def byok(fake: FakeAnam, photos: TlsServer) -> Iterator[HttpServer]:
    admitted = {"ANAM_DOWNLOAD_ALLOWED_PRIVATE": photos.host, "ANAM_DOWNLOAD_CA_FILE": str(photos.ca_file)}
    with http_server(http_env(fake, **admitted)) as running:
        yield running


@pytest.fixture(scope="module")
def with_token(fake: FakeAnam) -> Iterator[HttpServer]:
    with http_server(http_env(fake, ANAM_API_KEY=fake.api_key, ANAM_MCP_TOKENS=TOKEN)) as running:
        yield running


def uvx() -> str:
    found = shutil.which("uvx")
    assert found is not None, "uvx is part of the test command's setup (pip install uv)"
    return found


def run(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    return subprocess.run(
        command, env=env or npx_env(), cwd=cwd, capture_output=True, text=True, timeout=_SECONDS, check=False
    )


def tool_call(tool: str, arguments: dict[str, str]) -> list[str]:
    given = [arg for name, value in arguments.items() for arg in ("--tool-arg", f"{name}={value}")]
    return ["--method", "tools/call", "--tool-name", tool, *given]


def inspector_the_readme_way(fake: FakeAnam) -> Run:
    """The README's shape over stdio: npx, --cli and -e variables, then --, the server command, then --method."""
    variables = {"ANAM_API_URL": fake.url, "ANAM_API_KEY": fake.api_key, "ANAM_PREFETCH": "false"} | network_env()
    return run([
        "npx", "-y", INSPECTOR, "--cli",
        *[arg for name, value in variables.items() for arg in ("-e", f"{name}={value}")],
        "--", uvx(), "--from", str(ROOT), "anam-mcp",
        *tool_call("search_voices", {"query": "lucy", "gender": "female"}),
    ])  # fmt: skip


def inspector_over_http(server: HttpServer, key: str, tool: str, arguments: dict[str, str]) -> Run:
    """The README's shape over HTTP: the URL, the transport and the key's header, then --method."""
    options = ["--cli", server.mcp, "--transport", "http", "--header", f"Authorization: Bearer {key}"]
    return run([installed(INSPECTOR, "mcp-inspector"), *options, *tool_call(tool, arguments)])


def inspector_teaches_then_searches(server: HttpServer, fake: FakeAnam) -> Run:
    """teach_persona from inline text, then search_knowledge_base in the knowledge base it made: two Inspector
    runs over HTTP. The search's run, or the teaching's if that one failed."""
    command = [installed(INSPECTOR, "mcp-inspector"), "--cli", server.mcp, "--transport", "http"]
    command += ["--header", f"Authorization: Bearer {fake.api_key}"]
    sources = json.dumps([{"text": KNOWLEDGE, "filename": "egypt.md"}])
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    taught = run([*command, *tool_call("teach_persona", {"persona_id": persona_id, "sources": sources})])
    if taught.returncode != 0 or '"isError": false' not in taught.stdout:
        return taught
    base_id = answer(taught)["structuredContent"]["knowledge_base_id"]
    return run([*command, *tool_call("search_knowledge_base", {"knowledge_base_id": base_id, "query": "mummies"})])


def claude(args: list[str], home: Path, cwd: Path) -> Run:
    """Claude Code with a HOME of its own (its config), but this machine's npm and uv caches: no new downloads.

    It is started directly from where npx installed it (the README runs `claude` as installed, not with npx)."""
    env = {k: v for k, v in npx_env().items() if not k.startswith("ANAM_")} | caches() | {"HOME": str(home)}
    return run([installed(CLAUDE_CODE, "claude"), *args], env, cwd)


@functools.cache
def caches() -> dict[str, str]:
    def ask(command: list[str]) -> str:
        return subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout.strip()

    return {"npm_config_cache": ask(["npm", "config", "get", "cache"]), "UV_CACHE_DIR": ask(["uv", "cache", "dir"])}


def desktop_entry(fake: FakeAnam) -> dict[str, Any]:
    """The README's Claude Desktop entry as written, with this checkout's path and the fake's key and URL."""
    entry = readme_entry()
    entry["command"] = uvx()  # the README's placeholder for `which uvx`
    entry["args"] = [str(a).replace("/ABSOLUTE/PATH/TO/anam-mcp", str(ROOT)) for a in entry["args"]]
    entry["env"] = {k: str(v).replace("your-anam-api-key", fake.api_key) for k, v in entry["env"].items()}
    entry["env"] |= {"ANAM_API_URL": fake.url, "ANAM_PREFETCH": "false"} | network_env()
    return entry


def claude_code(home: Path, fake: FakeAnam, byok: HttpServer, with_token: HttpServer) -> Run:
    """Every entry the README gives Claude Code (and the Claude Desktop one), then one `claude mcp list`."""
    project = home.parent / "project"
    home.mkdir()
    project.mkdir()
    for added in (
        ["add", "anam", "--transport", "stdio", "--env", f"ANAM_API_KEY={fake.api_key}",
         "--env", f"ANAM_API_URL={fake.url}", "--", uvx(), "--from", str(ROOT), "anam-mcp"],
        ["add-json", "anam-desktop", json.dumps(desktop_entry(fake))],
        ["add", "--transport", "http", "anam-http", byok.mcp, "--header", f"Authorization: Bearer {fake.api_key}"],
        ["add", "--transport", "http", "anam-url", f"{with_token.url}/mcp/t/{TOKEN}"],
        ["add", "--transport", "http", "anam-no-key", byok.mcp],
    ):  # fmt: skip
        done = claude(["mcp", *added], home, project)
        assert done.returncode == 0, done.stdout + done.stderr
    return claude(["mcp", "list"], home, project)


def conformance(server: HttpServer, output: Path) -> Run:
    return run([
        "npx", "-y", "-p", "node@22", "-p", CONFORMANCE, "--",
        "conformance", "server", "--url", f"{server.url}/mcp/t/{TOKEN}", "--suite", "all",
        "--expected-failures", str(BASELINE), "-o", str(output),
    ])  # fmt: skip


@pytest.fixture(scope="module")
def runs(
    fake: FakeAnam,
    byok: HttpServer,
    with_token: HttpServer,
    photos: TlsServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Run | str]:
    """Every client run of this module, by name; where its npm package cannot be had, why not instead."""
    photo = {"display_name": "Photo via Inspector", "image_url": f"{photos.origin}/me.jpg"}
    jobs: dict[str, tuple[str, Callable[[], Run]]] = {
        "inspector the readme way": (INSPECTOR, lambda: inspector_the_readme_way(fake)),
        "inspector over http": (INSPECTOR, lambda: inspector_over_http(byok, fake.api_key, "create_session_token", {})),
        "inspector creates an avatar": (
            INSPECTOR,
            lambda: inspector_over_http(byok, fake.api_key, "create_avatar", photo),
        ),
        "inspector invites over http": (
            INSPECTOR,
            lambda: inspector_over_http(
                byok,
                fake.api_key,
                "invite_persona_to_meeting",
                {"meeting_url": MEET, "persona_id": fake.catalogues["/v1/personas"][0]["id"]},
            ),
        ),
        "inspector teaches": (INSPECTOR, lambda: inspector_teaches_then_searches(byok, fake)),
        "claude code": (
            CLAUDE_CODE,
            lambda: claude_code(tmp_path_factory.mktemp("claude") / "home", fake, byok, with_token),
        ),
        "conformance": (CONFORMANCE, lambda: conformance(with_token, tmp_path_factory.mktemp("conformance"))),
    }

    def start(package: str, job: Callable[[], Run]) -> Run | str:
        return npm_unavailable(package) or job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        started = {name: pool.submit(start, package, job) for name, (package, job) in jobs.items()}
        return {name: future.result() for name, future in started.items()}


def finished(runs: dict[str, Run | str], name: str) -> Run:
    """The run called `name`; the test is skipped, saying why, if it could not run here."""
    done = runs[name]
    if isinstance(done, str):
        pytest.skip(done)
    return done


def answer(done: Run) -> dict[str, Any]:
    """The tool result the Inspector printed: it exits 0, and its JSON is the last thing on stdout."""
    assert done.returncode == 0 and "{" in done.stdout, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout[done.stdout.index("{") :])
    return result


def test_inspector_started_the_readme_way_calls_a_tool(runs: dict[str, Run | str]) -> None:
    """npx starts the Inspector, which starts the server with uvx from this checkout, as the README says."""
    result = answer(finished(runs, "inspector the readme way"))
    assert result["isError"] is False, result
    assert result["structuredContent"]["items"][0]["country"] == "GB"


def test_inspector_over_http_mints_a_token_with_the_key_as_a_header(runs: dict[str, Run | str]) -> None:
    result = answer(finished(runs, "inspector over http"))
    assert result["isError"] is False, result
    assert result["structuredContent"]["mode"] == "ephemeral"
    assert result["structuredContent"]["session_token"]


def test_inspector_over_http_creates_an_avatar_from_a_url(runs: dict[str, Run | str], fake: FakeAnam) -> None:
    result = answer(finished(runs, "inspector creates an avatar"))
    assert result["isError"] is False, result
    made = result["structuredContent"]
    assert made["display_name"] == "Photo via Inspector"
    assert made["avatar_id"] in {avatar["id"] for avatar in fake.catalogues["/v1/avatars"]}


def test_inspector_over_http_invites_a_persona_to_a_meeting(runs: dict[str, Run | str], fake: FakeAnam) -> None:
    result = answer(finished(runs, "inspector invites over http"))
    assert result["isError"] is False, result
    invite = result["structuredContent"]
    assert (invite["provider"], invite["meeting_url"], invite["status"]) == ("google_meet", MEET, "pending")
    assert invite["display_name"] == fake.catalogues["/v1/personas"][0]["name"] + " (AI)"
    assert invite["invite_id"] in {made["id"] for made in fake.meeting_invites}


def test_inspector_teaches_a_persona_from_text_then_finds_it_by_search(runs: dict[str, Run | str]) -> None:
    result = answer(finished(runs, "inspector teaches"))
    assert result["isError"] is False, result
    (passage,) = result["structuredContent"]["items"]
    assert (passage["filename"], passage["content"]) == ("egypt.md", KNOWLEDGE)


def test_claude_code_connects_to_every_entry_the_readme_gives(runs: dict[str, Run | str]) -> None:
    done = finished(runs, "claude code")
    assert done.returncode == 0, done.stdout + done.stderr
    status = {line.split(":", 1)[0]: line for line in done.stdout.splitlines() if line.startswith("anam")}
    for connected in ("anam", "anam-desktop", "anam-http", "anam-url"):
        assert "Connected" in status[connected], done.stdout
    assert "Failed to connect" in status["anam-no-key"], done.stdout


def test_the_conformance_suite_finds_no_failure_outside_the_baseline(runs: dict[str, Run | str]) -> None:
    done = finished(runs, "conformance")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Baseline check passed" in done.stdout + done.stderr
