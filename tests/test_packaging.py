"""The built wheel and sdist: complete metadata, and the installed entry point serving MCP over stdio."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from anam_fake import FakeAnam
from anam_mcp import __version__

from .helpers import ROOT, network_env, server_env

UV = shutil.which("uv")

pytestmark = [pytest.mark.skipif(UV is None, reason="uv is not installed"), pytest.mark.weight(3)]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([str(UV), "build", "--out-dir", str(out), str(ROOT)], check=True, capture_output=True, timeout=300)
    return out


def wheel(dist: Path) -> Path:
    (found,) = dist.glob("anam_mcp-*.whl")
    return found


def test_wheel_has_metadata_typing_marker_and_entry_point(dist: Path) -> None:
    with zipfile.ZipFile(wheel(dist)) as archive:
        names = set(archive.namelist())
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(meta_name).decode())
        entry_points = archive.read(meta_name.replace("METADATA", "entry_points.txt")).decode()
    assert "anam_mcp/py.typed" in names
    views = {"gallery.html", "voices.html", "live.html", "bridge.js", "base.css"}
    assert {f"anam_mcp/views/{name}" for name in views} <= names  # the MCP Apps views are package data
    assert not any(n.startswith("tests/") for n in names)
    assert "anam_fake/__init__.py" in names  # the fake ships on purpose, for `anam-mcp --demo` and the benchmarks
    assert metadata["Name"] == "anam-mcp"
    assert metadata["Version"] == __version__
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Summary"]
    assert any(c.startswith("Programming Language :: Python :: 3") for c in metadata.get_all("Classifier") or [])
    assert metadata.get_all("Project-URL")
    assert "anam-mcp = anam_mcp:main" in entry_points


def test_sdist_carries_the_sources_and_tests(dist: Path) -> None:
    (sdist,) = dist.glob("anam_mcp-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"src/anam_mcp/server/__init__.py", "README.md", "pyproject.toml", "LICENSE", "CHANGELOG.md"} <= names


@pytest.mark.anyio
async def test_the_wheel_alone_serves_stdio_through_uvx(dist: Path, fake: FakeAnam, tmp_path: Path) -> None:
    """uvx installs the wheel and its declared dependencies, nothing else, in an environment of its own."""
    uvx = shutil.which("uvx")
    assert uvx is not None
    # Never a bare `uvx anam-mcp`: that name on PyPI is a different (Anam's own) package.
    params = StdioServerParameters(
        command=uvx,
        args=["--from", str(wheel(dist)), "anam-mcp"],
        env=server_env(fake) | network_env(),
        cwd=str(tmp_path),
    )
    async with Client(params, read_timeout_seconds=240) as client:
        found = await client.call_tool("search_voices", {"query": "lucy"})
        made = await client.call_tool("create_session_token", {})
    assert found.structured_content is not None
    assert found.structured_content["items"][0]["display_name"] == "Lucy - Fresh & Casual"
    assert not made.is_error
    assert made.structured_content is not None
    assert made.structured_content["mode"] == "ephemeral"


def test_uv_run_in_the_project_prints_nothing_once_it_is_in_sync(tmp_path: Path) -> None:
    # compile-bytecode in pyproject made every `uv run` compile the whole environment again and say so.
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__"))
    env = network_env() | {"PATH": str(Path(str(UV)).parent), "HOME": str(tmp_path), "UV_NO_PROGRESS": "1"}
    env.pop("UV_PROJECT_ENVIRONMENT", None)
    command = [str(UV), "run", "--frozen", "--no-dev", "python", "-c", "pass"]
    first = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert first.returncode == 0, first.stderr
    again = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""
