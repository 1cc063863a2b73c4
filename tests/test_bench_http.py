"""The HTTP load benchmark runs end to end and reports what it measured (tiny counts; no timing is judged here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.weight(9)

ERAS = ("2025-11-25", "2026-07-28")
ROW = {"calls", "calls_per_s", "p50_ms", "p99_ms"}


def test_http_benchmark_compares_with_the_floor_and_oauth_with_raw_keys_in_both_eras_and_with_two_workers(
    http_benchmark: tuple[int, Path],
) -> None:
    code, output = http_benchmark  # started with the smallest counts when the tests were collected (see conftest)
    stdout = output.with_suffix(".stdout").read_text(encoding="utf-8")
    stderr = output.with_suffix(".stderr").read_text(encoding="utf-8")
    assert output.exists(), stdout + stderr
    results = json.loads(output.read_text(encoding="utf-8"))
    targets = {row["metric"]: row for row in results["targets"]}
    measured = ("calls/s, % of the floor's", "p99 (ms)", "OAuth calls/s, % of raw key's")
    assert set(targets) == {f"{era} {what}" for era in ERAS for what in measured}
    # The exit status is the verdict on the targets: 0 only when every one holds.
    assert code == (0 if all(row["ok"] for row in targets.values()) else 1), stderr
    for era in ERAS:
        numbers = results["eras"][era]
        ours, floor = numbers["anam_mcp"], numbers["empty_mcpserver"]
        oauth = numbers["anam_mcp_oauth"]
        assert set(ours) == set(oauth) == set(floor) == set(results["two_workers"][era]) == ROW
        assert ours["calls"] == oauth["calls"] == floor["calls"] == 20
        # The floor answers as many bytes as the search does (to within its argument's digits).
        assert abs(numbers["answer_bytes"]["anam_mcp"] - numbers["answer_bytes"]["empty_mcpserver"]) <= 8
        assert targets[f"{era} calls/s, % of the floor's"]["value"] == round(
            ours["calls_per_s"] / floor["calls_per_s"] * 100, 1
        )
        assert targets[f"{era} OAuth calls/s, % of raw key's"]["value"] == round(
            oauth["calls_per_s"] / ours["calls_per_s"] * 100, 1
        )
        assert f"{era} anam-mcp, 2 workers" in stdout and f"{era} anam-mcp, OAuth token" in stdout
