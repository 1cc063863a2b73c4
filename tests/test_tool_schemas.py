"""What `tools/list` tells a client: one committed snapshot per tool, and the context its schemas cost.

Each tool's entry in `tools/list` (name, title, description, inputSchema, outputSchema, annotations, _meta) is
committed as `tests/snapshots/<tool>.json`, as github-mcp-server's toolsnaps: a change to a tool shows as a
diff to review, and the files are the list of tools the server must serve. After a deliberate change, run

    ANAM_UPDATE_SNAPSHOTS=1 uv run pytest -n 0 tests/test_tool_schemas.py

which rewrites the files (and deletes those of tools gone), then review `git diff tests/snapshots`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client
from mcp.types import Tool

from anam_mcp.server.tools import TOOLSETS

from .helpers import SNAPSHOTS, input_bytes

pytestmark = pytest.mark.anyio

# The input side of tools/list, in bytes as `input_bytes` counts them (issue 16's targets).
AVERAGE_BUDGET = 800
TOOL_BUDGET = 2000


def entry(tool: Tool) -> dict[str, Any]:
    """The tool as the client receives it, in the protocol's field names."""
    return tool.model_dump(mode="json", by_alias=True, exclude_none=True)


async def test_every_tool_matches_its_committed_snapshot(client: Client) -> None:
    listed = {tool.name: entry(tool) for tool in (await client.list_tools()).tools}
    if os.environ.get("ANAM_UPDATE_SNAPSHOTS") == "1":
        for gone in set(SNAPSHOTS.glob("*.json")) - {SNAPSHOTS / f"{name}.json" for name in listed}:
            gone.unlink()
        for name, listing in listed.items():
            text = json.dumps(listing, indent=2, ensure_ascii=False) + "\n"
            (SNAPSHOTS / f"{name}.json").write_text(text, encoding="utf-8")
    committed = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in SNAPSHOTS.glob("*.json")}
    rerun = "rerun with ANAM_UPDATE_SNAPSHOTS=1 and review the diff"
    assert sorted(listed) == sorted(committed), f"tools added or removed: {rerun}"
    for name, listing in listed.items():
        assert listing == committed[name], f"{name} changed: {rerun}"


async def test_input_schemas_stay_within_the_context_budget(client: Client) -> None:
    """Per tool, len(name) + len(description) + len(json.dumps(inputSchema, separators=(",", ":"))) (see
    `input_bytes`): at most 800 on average and 2,000 for any one tool; and per toolset, the same sum that
    --check prints. The figures print with `-s`."""
    costs = {tool.name: input_bytes(tool) for tool in (await client.list_tools()).tools}
    average = sum(costs.values()) / len(costs)
    rows = [*sorted(costs.items()), (f"average of {len(costs)}", round(average)), ("total", sum(costs.values()))]
    for toolset in TOOLSETS:
        rows.append((f"toolset {toolset.name}", toolset.input_bytes()))
        assert toolset.input_bytes() == sum(costs[tool.name] for tool in toolset.tools())
    report = "\n".join(f"{name:<28}{cost:>6}" for name, cost in rows)
    print(f"\nInput-side bytes per tool:\n{report}")
    over = [name for name, cost in costs.items() if cost > TOOL_BUDGET]
    assert average <= AVERAGE_BUDGET and not over, f"over budget:\n{report}"


def schemas_in(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """`schema` and every schema inside it; the keys of `properties` and `$defs` are names, not schemas."""
    yield schema
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            for inner in value.values():
                yield from schemas_in(inner)
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for inner in value:
                yield from schemas_in(inner)
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            yield from schemas_in(value)


async def test_schemas_carry_no_pydantic_noise(client: Client) -> None:
    """No titles and no `default: null` anywhere; in input schemas, a null is never offered (leaving an argument
    out says it), so no `anyOf [X, null]` and no "null" type either."""
    for tool in (await client.list_tools()).tools:
        assert tool.output_schema is not None
        for schema in [*schemas_in(tool.input_schema), *schemas_in(tool.output_schema)]:
            assert "title" not in schema, tool.name
            assert schema.get("default", ...) is not None, tool.name
        for schema in schemas_in(tool.input_schema):
            assert "null" not in schema.get("type", []) and {"type": "null"} not in schema.get("anyOf", []), tool.name
