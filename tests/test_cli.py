"""The command line: --version, --help, --check, and bad configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from anam_mcp import __version__

from .fake_anam import FakeAnam
from .helpers import SERVER_COMMAND, server_env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")}
    return subprocess.run(
        [SERVER_COMMAND, *args], env={**clean, **env}, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


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


def test_check_fails_without_a_key(fake: FakeAnam, tmp_path: Path) -> None:
    done = run(["--check"], server_env(fake, ANAM_API_KEY=""), tmp_path)
    assert done.returncode == 1
    assert "ANAM_API_KEY is not set" in done.stderr
    assert fake.requests == []


def test_check_reads_a_dot_env_file(fake: FakeAnam, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"ANAM_API_KEY={fake.api_key}\nANAM_API_URL={fake.url}\n", encoding="utf-8")
    done = run(["--check"], {}, tmp_path)
    assert done.returncode == 0, done.stderr


def test_invalid_configuration_is_reported_on_stderr(tmp_path: Path) -> None:
    done = run(["--check"], {"ANAM_API_URL": "not a url", "ANAM_CATALOG_TTL_SECONDS": "-1"}, tmp_path)
    assert done.returncode == 1
    assert "ANAM_API_URL" in done.stderr and "ANAM_CATALOG_TTL_SECONDS" in done.stderr
    assert done.stdout == ""


def test_a_plain_http_api_url_is_refused_before_the_key_is_sent(fake: FakeAnam, tmp_path: Path) -> None:
    done = run(["--check"], server_env(fake, ANAM_API_URL="http://api.anam.ai"), tmp_path)
    assert done.returncode == 1
    assert "ANAM_API_URL" in done.stderr
    assert "https://" in done.stderr
    assert fake.requests == []


def test_unsubstituted_templates_count_as_unset(fake: FakeAnam, tmp_path: Path) -> None:
    done = run(["--check"], server_env(fake, ANAM_API_KEY="${user_config.api_key}"), tmp_path)
    assert done.returncode == 1
    assert "ANAM_API_KEY is not set" in done.stderr


def test_python_dash_m_runs_the_same_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "anam_mcp", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"anam-mcp {__version__}"


def test_check_warns_when_the_default_llm_is_not_available(fake: FakeAnam, tmp_path: Path) -> None:
    env = server_env(fake, ANAM_DEFAULT_LLM_ID="00000000-0000-4000-8000-000000000000")
    done = run(["--check"], env, tmp_path)
    assert done.returncode == 0
    assert "WARN  the default LLM 00000000-0000-4000-8000-000000000000" in done.stderr
