"""Build anam-mcp.mcpb, the Claude Desktop extension: stage the package, complete the manifest, validate, pack.

    uv run python mcpb/build.py [--out DIR]        # writes DIR/anam-mcp.mcpb (default: dist/)

The bundle holds only what `uv run` needs to install and start the server (pyproject.toml, uv.lock, README.md,
LICENSE, src/anam_mcp) plus the manifest and an icon drawn here. The manifest's version and author come from
pyproject.toml, and its tool list and what each toolset does from the server itself, so none of them can drift.
The package is staged in a temporary directory: only the bundle is left in DIR. The fake Anam API (src/anam_fake)
stays out: the extension always asks for a key, and the demo (`anam-mcp --demo`) is the README's uvx entry.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import struct
import subprocess
import tempfile
import tomllib
import zlib
from pathlib import Path
from typing import Any

from anam_mcp.config import Settings
from anam_mcp.server import build_server
from anam_mcp.server.tools import TOOLSETS

MCPB = "@anthropic-ai/mcpb@2.1.2"
ROOT = Path(__file__).resolve().parents[1]
FILES = ("pyproject.toml", "uv.lock", "README.md", "LICENSE")


def tools() -> list[dict[str, str]]:
    """Each tool's name and the first paragraph of its description, on one line, as the install dialog shows them."""
    listed = asyncio.run(build_server(Settings(prefetch=False)).list_tools())
    return [
        {"name": tool.name, "description": " ".join((tool.description or "").split("\n\n")[0].split())}
        for tool in listed
    ]


def manifest() -> dict[str, Any]:
    completed: dict[str, Any] = json.loads((ROOT / "mcpb" / "manifest.json").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    completed["version"] = project["version"]
    # The package's own author, and no URL: the manifest claims nothing the package does not.
    completed["author"] = {"name": project["authors"][0]["name"]}
    toolsets = "\n".join(f"- {toolset.description}" for toolset in TOOLSETS)
    completed["long_description"] += f"\n\nWhat it does:\n{toolsets}"
    completed["tools"] = tools()
    return completed


def icon(size: int = 512) -> bytes:
    """A PNG drawn with the standard library: a teal ring, so no binary file is kept in the repository."""
    centre, outer, inner = (size - 1) / 2, size * 0.47, size * 0.30
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # PNG filter type "none" for this row
        for x in range(size):
            distance = ((x - centre) ** 2 + (y - centre) ** 2) ** 0.5
            rows += bytes((18, 150, 170, 255)) if inner < distance <= outer else bytes(4)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def stage(dest: Path) -> None:
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name in FILES:
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "src" / "anam_mcp", dest / "src" / "anam_mcp", ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "manifest.json").write_text(json.dumps(manifest(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (dest / "icon.png").write_bytes(icon())


def main() -> None:
    parser = argparse.ArgumentParser(description="Build anam-mcp.mcpb for Claude Desktop.")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="directory for anam-mcp.mcpb (default: dist)")
    out = parser.parse_args().out.resolve()
    # The bundle starts with `uv run --frozen`, which would use a stale lock as it is.
    subprocess.run(["uv", "lock", "--check", "--directory", str(ROOT)], check=True)
    out.mkdir(parents=True, exist_ok=True)
    bundle = out / "anam-mcp.mcpb"
    bundle.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="anam-mcpb-") as folder:
        staged = Path(folder) / "anam-mcp"
        stage(staged)
        subprocess.run(["npx", "-y", MCPB, "validate", str(staged / "manifest.json")], check=True)
        subprocess.run(["npx", "-y", MCPB, "pack", str(staged), str(bundle)], check=True)


if __name__ == "__main__":
    main()
