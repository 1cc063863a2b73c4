"""The command line: --version, --help, --check, and bad configuration.

The command itself runs for --version, --help, -m, a good key, a bad key and a .env file; the other verdicts of
--check are read from `run_check` in this process, on the settings the same environment gives.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from anam_fake import FakeAnam
from anam_mcp import __version__
from anam_mcp.check import run_check
from anam_mcp.config import Settings

from .helpers import SERVER_COMMAND, logging_to_string, server_env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")}
    return subprocess.run(
        [SERVER_COMMAND, *args], env={**clean, **env}, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


async def check_in_process(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`run_check` on the settings `env` gives (no .env file): its exit status, then stdout and stderr."""
    code = await run_check(Settings.from_environment(env, env_file=None))
    written = capsys.readouterr()
    return code, written.out, written.err


def test_version(tmp_path: Path) -> None:
    done = run(["--version"], {}, tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"anam-mcp {__version__}"


def test_help_names_the_options(tmp_path: Path) -> None:
    done = run(["--help"], {}, tmp_path)
    assert done.returncode == 0
    assert "--check" in done.stdout and "ANAM_API_KEY" in done.stdout


def test_check_passes_with_a_good_key(fake: FakeAnam, tmp_path: Path) -> None:
    done = run(["--check"], server_env(fake), tmp_path)
    assert done.returncode == 0, done.stderr
    assert "API key accepted" in done.stderr
    assert "130 avatars, 450 voices, 5 LLMs" in done.stderr
    assert "default LLM: GPT-4o mini" in done.stderr
    assert done.stdout == ""
    assert fake.api_key not in done.stderr


def test_check_fails_with_a_bad_key_and_says_why(fake: FakeAnam, tmp_path: Path) -> None:
    done = run(["--check"], server_env(fake, ANAM_API_KEY="sk-nope-123"), tmp_path)
    assert done.returncode == 1
    assert "Check ANAM_API_KEY" in done.stderr
    assert "sk-nope-123" not in done.stderr


@pytest.mark.anyio
async def test_check_fails_without_a_key(fake: FakeAnam, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = await check_in_process(server_env(fake, ANAM_API_KEY=""), capsys)
    assert code == 1
    assert "ANAM_API_KEY is not set" in stderr
    assert fake.requests == []


def test_check_reads_a_dot_env_file(fake: FakeAnam, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"ANAM_API_KEY={fake.api_key}\nANAM_API_URL={fake.url}\n", encoding="utf-8")
    done = run(["--check"], {}, tmp_path)
    assert done.returncode == 0, done.stderr


@pytest.mark.anyio
async def test_invalid_configuration_is_reported_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, stderr = await check_in_process(
        {"ANAM_API_URL": "not a url", "ANAM_CATALOG_TTL_SECONDS": "-1"}, capsys
    )
    assert code == 1
    assert "ANAM_API_URL" in stderr and "ANAM_CATALOG_TTL_SECONDS" in stderr
    assert stdout == ""


@pytest.mark.anyio
async def test_a_plain_http_api_url_is_refused_before_the_key_is_sent(
    fake: FakeAnam, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, stderr = await check_in_process(server_env(fake, ANAM_API_URL="http://api.anam.ai"), capsys)
    assert code == 1
    assert "ANAM_API_URL" in stderr
    assert "https://" in stderr
    assert fake.requests == []


@pytest.mark.anyio
async def test_unsubstituted_templates_count_as_unset(fake: FakeAnam, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = await check_in_process(server_env(fake, ANAM_API_KEY="${user_config.api_key}"), capsys)
    assert code == 1
    assert "ANAM_API_KEY is not set" in stderr


def test_python_dash_m_runs_the_same_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "anam_mcp", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"anam-mcp {__version__}"


@pytest.mark.anyio
async def test_check_warns_when_the_default_llm_is_not_available(
    fake: FakeAnam, capsys: pytest.CaptureFixture[str]
) -> None:
    env = server_env(fake, ANAM_DEFAULT_LLM_ID="00000000-0000-4000-8000-000000000000")
    code, _, stderr = await check_in_process(env, capsys)
    assert code == 0
    assert "WARN  the default LLM 00000000-0000-4000-8000-000000000000" in stderr


def test_stdio_start_up_runs_without_the_collector_and_serves_with_it(
    fake: FakeAnam, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Collecting while the SDK and the schemas are built took a tenth of start-up's CPU, for nothing: it all stays.
    import anam_mcp.server
    from anam_mcp import cli

    seen: dict[str, tuple[bool, int]] = {}
    build = anam_mcp.server.build_server

    def building(settings: Settings, **options: Any) -> Any:
        seen["building"] = (gc.isenabled(), gc.get_freeze_count())
        return build(settings, **options)

    monkeypatch.setattr(anam_mcp.server, "build_server", building)
    monkeypatch.setattr(
        anam_mcp.server, "serve_stdio", lambda _: seen.update(serving=(gc.isenabled(), gc.get_freeze_count()))
    )
    monkeypatch.chdir(tmp_path)  # no .env file
    for name, value in server_env(fake).items():
        monkeypatch.setenv(name, value)
    try:
        with logging_to_string(server_env(fake)):  # restores the logging setup that main() replaces
            assert cli.main([]) == 0
    finally:
        gc.unfreeze()
        gc.enable()
    assert seen["building"][0] is False
    enabled, frozen = seen["serving"]
    assert enabled and frozen > 0  # what start-up built is out of the collector's view
