"""Claude Code (a real MCP host, from npm) adds anam-mcp with the README's command and connects to it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .fake_anam import FakeAnam

CLAUDE_CODE = "@anthropic-ai/claude-code@2.1.197"
ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("npx") is None, reason="npx (Node.js) is not installed")


def claude(args: list[str], home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")} | {"HOME": str(home)}
    return subprocess.run(
        ["npx", "-y", CLAUDE_CODE, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )


def test_claude_code_adds_and_connects_to_the_server(fake: FakeAnam, tmp_path: Path) -> None:
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
