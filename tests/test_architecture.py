"""Whole-package invariants: one package knows MCP, and nothing writes to stdout (the protocol stream)."""

from __future__ import annotations

import ast
import re

from .helpers import ROOT

SRC = ROOT / "src" / "anam_mcp"


def modules() -> dict[str, ast.Module]:
    return {str(path.relative_to(SRC)): ast.parse(path.read_text(encoding="utf-8")) for path in SRC.rglob("*.py")}


def test_only_the_server_package_imports_the_mcp_sdk() -> None:
    importers = set()
    for name, tree in modules().items():
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(n == "mcp" or n.startswith("mcp.") for n in names):
                importers.add(name)
    assert importers
    assert all(name.startswith("server/") for name in importers), importers


def test_nothing_prints_to_stdout() -> None:
    """Not in the server, nor in the fake that `anam-mcp --demo` runs in the server's process."""
    every = {
        str(path.relative_to(ROOT)): ast.parse(path.read_text(encoding="utf-8"))
        for path in (ROOT / "src").rglob("*.py")
    }
    for name, tree in every.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                writes_to = {kw.arg: ast.unparse(kw.value) for kw in node.keywords}.get("file")
                assert writes_to == "sys.stderr", f"{name}:{node.lineno} prints to stdout"


def test_the_readme_layout_names_every_module_and_view_and_nothing_else() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("\nsrc/anam_mcp/\n", 1)[1].split("```", 1)[0]
    named = set(re.findall(r"[\w.]+\.(?:py|html|js|css)\b", layout))
    shipped = {
        path.name
        for path in SRC.rglob("*")
        if path.suffix in {".py", ".html", ".js", ".css"} and path.name not in {"__main__.py", "py.typed"}
    }
    assert named == shipped


def _api_paths(tree: ast.Module) -> set[str]:
    """The Anam endpoint paths a module names: string constants that start with /v1/."""
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/v1/")
    }


def test_each_endpoint_path_lives_in_its_area_api_module_only() -> None:
    """An area's endpoints are named in its api/<area>.py and nowhere else in src/, so a new area is one module
    on the Anam side and the tools never build a URL."""
    owners: dict[str, str] = {}
    for name, tree in modules().items():
        for path in _api_paths(tree):
            assert name.startswith("api/") and name.count("/") == 1, f"{path} is named outside api/: {name}"
            resource = path.split("/")[2]  # /v1/<resource>/...: the area that owns it
            assert owners.setdefault(resource, name) == name, (
                f"/v1/{resource} is named in {owners[resource]} and {name}"
            )
    assert {"avatars", "voices", "llms", "personas", "sessions", "share-links", "auth", "meetings"} <= owners.keys()
