"""Claude Code (a real MCP host, from npm) adds anam-mcp with the README's command and connects to it."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from anam_fake import FakeAnam

from .helpers import ROOT, installed, npx_env, require_npm

CLAUDE_CODE = "@anthropic-ai/claude-code@2.1.197"


def claude(args: list[str], home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Claude Code with a HOME of its own (its config), but this machine's npm and uv caches: no new downloads.

    It is started directly from where npx installed it (the README runs `claude` as installed, not with npx)."""
    env = {k: v for k, v in npx_env().items() if not k.startswith("ANAM_")} | caches() | {"HOME": str(home)}
    return subprocess.run(
        [installed(CLAUDE_CODE, "claude"), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@functools.cache
def caches() -> dict[str, str]:
    def ask(command: list[str]) -> str:
        return subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout.strip()

    return {
        "npm_config_cache": ask(["npm", "config", "get", "cache"]),
        "UV_CACHE_DIR": ask(["uv", "cache", "dir"]),
    }


def test_claude_code_adds_and_connects_to_the_server(fake: FakeAnam, tmp_path: Path) -> None:
    require_npm(CLAUDE_CODE)
    uvx = shutil.which("uvx")
    assert uvx is not None
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    added = claude(
        ["mcp", "add", "anam", "--transport", "stdio",
         "--env", f"ANAM_API_KEY={fake.api_key}", "--env", f"ANAM_API_URL={fake.url}",
         "--", uvx, "--from", str(ROOT), "anam-mcp"],
        home, project,
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    listed = claude(["mcp", "list"], home, project)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    line = next(line for line in listed.stdout.splitlines() if line.startswith("anam:"))
    assert "Connected" in line, listed.stdout
