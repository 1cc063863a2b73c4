"""The Claude Desktop extension: built and validated with mcpb from npm, then unpacked and started exactly as its
manifest tells Claude Desktop to, with the user's settings filled in, and used through the MCP SDK's stdio client."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from anam_fake import FakeAnam
from anam_mcp.server.tools import TOOLSETS

from .helpers import ROOT, network_env

_VARIABLE = re.compile(r"\$\{([^}]+)\}")

pytestmark = [
    pytest.mark.skipif(shutil.which("npx") is None, reason="npx (Node.js) is not installed"),
    pytest.mark.weight(4),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mcpb")
    built = subprocess.run(
        [sys.executable, str(ROOT / "mcpb" / "build.py"), "--out", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Manifest schema validation passes!" in built.stdout
    assert [path.name for path in out.iterdir()] == ["anam-mcp.mcpb"]  # nothing staged is left behind
    return out / "anam-mcp.mcpb"


def launch(manifest: Mapping[str, Any], extension_dir: Path, settings: Mapping[str, str]) -> dict[str, Any] | None:
    """`server.mcp_config` with ${__dirname} and ${user_config.*} replaced as Claude Desktop does; None when a
    required setting is missing. An optional setting with no value and no default stays a literal `${...}`."""
    options: Mapping[str, Any] = manifest["user_config"]
    if any(option.get("required") and not settings.get(key) for key, option in options.items()):
        return None
    values = {f"user_config.{key}": str(option["default"]) for key, option in options.items() if "default" in option}
    values |= {f"user_config.{key}": value for key, value in settings.items()}
    values["__dirname"] = str(extension_dir)

    def fill(text: str) -> str:
        return _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    config = manifest["server"]["mcp_config"]
    return {
        "command": fill(config["command"]),
        "args": [fill(arg) for arg in config["args"]],
        "env": {name: fill(value) for name, value in config["env"].items()},
    }


@pytest.fixture
def unpacked(bundle: Path, tmp_path: Path) -> Path:
    target = tmp_path / "Claude Extensions" / "local.mcpb.anam-mcp"  # a space, like the real install path
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(target)
    return target


def test_bundle_holds_the_package_and_a_manifest_that_matches_it(unpacked: Path) -> None:
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["manifest_version"] == "0.4" and manifest["server"]["type"] == "uv"
    assert manifest["user_config"]["api_key"]["sensitive"] is True
    assert (unpacked / "uv.lock").is_file() and (unpacked / "src" / "anam_mcp" / "server" / "__init__.py").is_file()
    assert not [p for p in unpacked.rglob("*") if p.name in {"tests", ".venv", "__pycache__", ".env"}]
    # The demo (anam-mcp --demo) is the README's uvx entry; the extension asks for a key and ships no fake.
    assert not (unpacked / "src" / "anam_fake").exists()


@pytest.mark.anyio
async def test_bundle_serves_tools_when_started_as_its_manifest_says(unpacked: Path, tmp_path: Path) -> None:
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    with FakeAnam() as fake:
        config = launch(manifest, unpacked, {"api_key": fake.api_key, "api_url": fake.url})
        assert config is not None
        assert config["env"]["ANAM_DEFAULT_LLM_ID"] == "${user_config.default_llm_id}"  # unset: the server ignores it
        params = StdioServerParameters(
            command=config["command"], args=config["args"], env=config["env"] | network_env(), cwd=str(tmp_path)
        )
        async with Client(params, read_timeout_seconds=300) as client:
            listed = await client.list_tools()
            found = await client.call_tool("search_voices", {"query": "lucy"})
    assert [t.name for t in listed.tools] == [t["name"] for t in manifest["tools"]]
    assert not found.is_error
    assert found.structured_content is not None
    assert found.structured_content["items"][0]["display_name"] == "Lucy - Fresh & Casual"


def test_the_manifest_describes_every_toolset_and_claims_no_source_it_cannot_back(unpacked: Path) -> None:
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    for words in ("avatars", "voices", "LLMs", "personas", "share links", "session tokens", "transcripts"):
        assert words in manifest["description"], words
    for toolset in TOOLSETS:
        assert toolset.description in manifest["long_description"], toolset.name
    # No repository, home page or support address that nobody can check; the author is the package's own.
    assert not {"repository", "homepage", "documentation", "support"} & set(manifest)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert manifest["author"] == {"name": project["authors"][0]["name"]}


def test_claude_desktop_would_not_start_it_without_a_key(unpacked: Path) -> None:
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    assert launch(manifest, unpacked, {}) is None
    assert launch(manifest, unpacked, {"api_key": ""}) is None
