"""The benchmark script runs end to end and reports what it measured (tiny counts; no timing is judged here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.weight(9)

SEARCHES = ("search_voices", "search_avatars")
TARGETS = {
    *(f"{tool} {row}" for tool in SEARCHES for row in ("warm p50 (ms)", "requests per warm search", "cold (ms)")),
    *(f"{tool} repeated: naive / ours" for tool in SEARCHES),
    *(f"first search_voices, prefetch {p} (ms)" for p in ("on", "off")),
    "ranking CPU, 3,000 voices, worst query (ms)",
    "start-up to initialize (ms)",
    "peak RSS, catalogues loaded (MiB)",
}


def test_bench_measures_every_row_against_baselines_from_the_same_run(benchmark: tuple[int, Path]) -> None:
    code, output = benchmark  # the smallest counts, started at collection (or by its fixture under xdist: conftest)
    stdout = output.with_suffix(".stdout").read_text(encoding="utf-8")
    stderr = output.with_suffix(".stderr").read_text(encoding="utf-8")
    assert output.exists(), stdout + stderr
    results = json.loads(output.read_text(encoding="utf-8"))
    targets = {row["metric"]: row for row in results["targets"]}
    assert set(targets) == TARGETS
    # The exit status is the verdict on the targets: 0 only when every one holds.
    assert code == (0 if all(row["ok"] for row in targets.values()) else 1), stderr
    for metric, row in targets.items():
        assert f"{'ok  ' if row['ok'] else 'MISS'} {metric}" in stdout

    ours, naive = results["anam_mcp"], results["naive"]
    for tool in SEARCHES:
        pages = 5 if tool == "search_voices" else 2
        assert (ours[tool]["cold_requests"], ours[tool]["requests_per_warm_search"]) == (pages, 0)
        assert (naive[tool]["cold_requests"], naive[tool]["requests_per_warm_search"]) == (pages, pages)
        # The comparison uses the naive server's numbers from this run.
        ratio = targets[f"{tool} repeated: naive / ours"]["value"]
        assert ratio == round(naive[tool]["warm_p50_ms"] / ours[tool]["warm_p50_ms"], 1)
    floor = results["startup"]["empty_mcpserver"]["initialize_ms"]
    assert floor > 0
    assert targets["start-up to initialize (ms)"]["target"] == f"<= {round(floor * 1.10, 1)} (empty MCPServer + 10%)"
    assert ours["create_session_token"]["p50_ms"] > 0
    assert ours["peak_rss_mib"] is not None
