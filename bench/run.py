"""Benchmark anam-mcp through a real stdio MCP client against the fake Anam API with injected latency.

In one run it measures anam-mcp, a naive wrapper (bench/naive_server.py: every search re-downloads
every page, sequentially, on a new connection) and an empty MCPServer (bench/empty_server.py, the
start-up floor). It prints a table, checks the targets and writes bench/results.json. The exit status
is 0 when every target holds, 1 otherwise.

    uv run python bench/run.py [--latency-ms 50] [--warm-calls 60] [--startup-runs 9]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters, types

from anam_fake import FakeAnam, make_voices
from anam_mcp.api.catalogue import Voice
from anam_mcp.search import index, rank

ROOT = Path(__file__).resolve().parents[1]

ANAM_MCP = [str(Path(sys.executable).with_name("anam-mcp"))]
NAIVE = [sys.executable, str(ROOT / "bench" / "naive_server.py")]
EMPTY = [sys.executable, str(ROOT / "bench" / "empty_server.py")]
SEARCHES = ("search_voices", "search_avatars")
QUERIES = ("cara", "lucy", "calm", "zoe", "british", "warm", "leo", "amelie", "noah", "sofia")

Row = tuple[str, float, str, bool]


def server_env(fake: FakeAnam) -> dict[str, str]:
    # Prefetch off: the cold numbers must measure a real first load, not a background one.
    return {
        "ANAM_API_URL": fake.url,
        "ANAM_API_KEY": fake.api_key,
        "ANAM_PREFETCH": "false",
        "ANAM_LOG_LEVEL": "WARNING",
    }


@asynccontextmanager
async def connected(command: list[str], env: dict[str, str]) -> AsyncIterator[Client]:
    params = StdioServerParameters(command=command[0], args=command[1:], env=env, cwd=str(ROOT))
    async with Client(params, mode="legacy") as client:
        yield client


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    result = await call()
    elapsed = time.perf_counter() - started
    if getattr(result, "is_error", False):
        raise RuntimeError(f"tool error during the benchmark: {result.content}")
    return elapsed


async def startup_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawning the process to the `initialize` answer, and to the first `tools/list` answer."""
    started = time.perf_counter()
    async with connected(command, env) as client:
        initialized = time.perf_counter() - started
        await client.list_tools()
        listed = time.perf_counter() - started
    return initialized, listed


@asynccontextmanager
async def after_cold_search(
    command: list[str], env: dict[str, str], tool: str, colds: list[float]
) -> AsyncIterator[Client]:
    """A fresh server process, still connected, whose first search (after `tools/list`) was timed into `colds`."""
    async with connected(command, env) as client:
        await client.list_tools()
        await anyio.sleep(0.2)  # let start-up settle, as a user's first question comes a moment later
        colds.append(await timed(lambda: client.call_tool(tool, {"query": "cara"})))
        yield client


async def first_search(command: list[str], env: dict[str, str], prefetch: bool) -> float:
    """Seconds a fresh server takes to answer its first search_voices, sent right after `initialize`.

    Timed from sending tools/call to its answer: the client's own check of the result (it lists the tools
    first, to read the output schema) is not the server's time.
    """
    async with connected(command, {**env, "ANAM_PREFETCH": "true" if prefetch else "false"}) as client:
        call = types.CallToolRequest(
            params=types.CallToolRequestParams(name="search_voices", arguments={"query": "cara"})
        )
        return await timed(lambda: client.session.send_request(call, types.CallToolResult))


async def warm_searches(client: Client, tool: str, calls: int) -> list[float]:
    await client.call_tool(tool, {"query": "cara"})
    times = []
    for i in range(calls):
        arguments = {"query": QUERIES[i % len(QUERIES)]}
        times.append(await timed(lambda arguments=arguments: client.call_tool(tool, arguments)))  # type: ignore[misc]
    return times


def child_peak_rss_mib(needle: str) -> float | None:
    """Peak resident memory (VmHWM) of this process's child whose command line contains `needle`."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            parent = (proc / "stat").read_text().split()[3]
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if parent != str(os.getpid()) or needle not in cmdline:
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except (OSError, IndexError):
            continue
    return None


async def measure(fake: FakeAnam, args: argparse.Namespace) -> dict[str, Any]:
    env = server_env(fake)
    results: dict[str, Any] = {"latency_ms": args.latency_ms, "python": sys.version.split()[0]}

    # Start-up: interleave ours and the floor so that machine noise hits both alike.
    runs: dict[str, list[tuple[float, float]]] = {"anam_mcp": [], "empty_mcpserver": []}
    for _ in range(args.startup_runs):
        runs["empty_mcpserver"].append(await startup_once(EMPTY, {}))
        runs["anam_mcp"].append(await startup_once(ANAM_MCP, env))
    results["startup"] = {
        name: {
            "initialize_ms": ms(statistics.median(r[0] for r in samples)),
            "tools_list_ms": ms(statistics.median(r[1] for r in samples)),
        }
        for name, samples in runs.items()
    }

    # The first search right after initialize, with the background prefetch on (the default) and off, interleaved.
    firsts: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.cold_runs):
        for prefetch, times in firsts.items():
            times.append(await first_search(ANAM_MCP, env, prefetch))
    first = {f"prefetch_{'on' if p else 'off'}_ms": ms(statistics.median(t)) for p, t in firsts.items()}

    for name, command, calls in (("anam_mcp", ANAM_MCP, args.warm_calls), ("naive", NAIVE, args.naive_calls)):
        server: dict[str, Any] = {}
        for tool in SEARCHES:
            fake.clear()
            colds: list[float] = []
            for _ in range(args.cold_runs - 1):
                async with after_cold_search(command, env, tool, colds):
                    pass
            # The last cold process goes on to the warm searches: its catalogue is loaded.
            async with after_cold_search(command, env, tool, colds) as client:
                cold_requests = len(fake.requests) // args.cold_runs
                fake.clear()
                warm = await warm_searches(client, tool, calls)
                server[tool] = {
                    "cold_ms": ms(statistics.median(colds)),
                    "warm_p50_ms": ms(percentile(warm, 50)),
                    "warm_p95_ms": ms(percentile(warm, 95)),
                    "cold_requests": cold_requests,
                    "requests_per_warm_search": round(len(fake.requests) / (calls + 1), 2),
                }
        results[name] = server
    results["anam_mcp"]["first_search_voices"] = first

    async with connected(ANAM_MCP, env) as client:
        for tool in SEARCHES:
            await client.call_tool(tool, {})
        tokens = [await timed(lambda: client.call_tool("create_session_token", {})) for _ in range(args.token_calls)]
        results["anam_mcp"]["create_session_token"] = {"p50_ms": ms(percentile(tokens, 50))}
        results["anam_mcp"]["peak_rss_mib"] = child_peak_rss_mib("anam-mcp")
    return results


def ranking_cpu(entries: int = 3000, repeats: int = 200) -> dict[str, float]:
    """CPU time of one in-memory search over `entries` voices, per query, in ms (no I/O, no MCP)."""
    indexed = index(
        [Voice.model_validate(v) for v in make_voices(entries)], lambda v: (v.display_name,), lambda v: v.description
    )
    out = {}
    for query in ("zoe", "lucy - fresh", "calm", None):
        started = time.process_time()
        for _ in range(repeats):
            rank(indexed, query)
        out[str(query)] = round((time.process_time() - started) / repeats * 1000, 3)
    return out


def check(results: dict[str, Any]) -> list[Row]:
    ours, naive, latency = results["anam_mcp"], results["naive"], results["latency_ms"]
    rows: list[Row] = []
    for tool in SEARCHES:
        warm, cold = ours[tool]["warm_p50_ms"], ours[tool]["cold_ms"]
        rows.append((f"{tool} warm p50 (ms)", warm, "<= 5", warm <= 5))
        requests = ours[tool]["requests_per_warm_search"]
        rows.append((f"{tool} requests per warm search", requests, "0", requests == 0))
        limit = 2 * latency + 30
        rows.append((f"{tool} cold (ms)", cold, f"<= {limit:g} (2 x latency + 30)", cold <= limit))
        ratio = round(naive[tool]["warm_p50_ms"] / warm, 1)
        rows.append((f"{tool} repeated: naive / ours", ratio, ">= 20", ratio >= 20))
    for prefetch in ("on", "off"):
        first, limit = ours["first_search_voices"][f"prefetch_{prefetch}_ms"], 2 * latency + 30
        target = f"<= {limit:g} (2 x latency + 30)"
        rows.append((f"first search_voices, prefetch {prefetch} (ms)", first, target, first <= limit))
    worst = max(results["ranking_cpu_ms_3000_voices"].values())
    rows.append(("ranking CPU, 3,000 voices, worst query (ms)", worst, "<= 1", worst <= 1))
    start = results["startup"]["anam_mcp"]["initialize_ms"]
    floor = results["startup"]["empty_mcpserver"]["initialize_ms"]
    limit = round(floor * 1.10, 1)
    rows.append(("start-up to initialize (ms)", start, f"<= {limit} (empty MCPServer + 10%)", start <= limit))
    rss = ours["peak_rss_mib"]
    rows.append(("peak RSS, catalogues loaded (MiB)", rss or -1.0, "<= 80", rss is not None and rss <= 80))
    return rows


def report(results: dict[str, Any], rows: list[Row]) -> None:
    print(f"\nanam-mcp benchmark: fake Anam API with {results['latency_ms']:g} ms per request\n")
    print(f"{'':36}{'anam-mcp':>11}{'naive':>11}{'empty':>11}")
    ours, floor = results["startup"]["anam_mcp"], results["startup"]["empty_mcpserver"]
    print(f"{'start-up to initialize (ms)':36}{ours['initialize_ms']:>11}{'':>11}{floor['initialize_ms']:>11}")
    print(f"{'start-up to tools/list (ms)':36}{ours['tools_list_ms']:>11}{'':>11}{floor['tools_list_ms']:>11}")
    for tool in SEARCHES:
        mine, naive = results["anam_mcp"][tool], results["naive"][tool]
        for key in ("cold_ms", "warm_p50_ms", "warm_p95_ms", "cold_requests", "requests_per_warm_search"):
            print(f"{tool + ' ' + key:36}{mine[key]:>11}{naive[key]:>11}")
    for prefetch in ("on", "off"):
        first = results["anam_mcp"]["first_search_voices"][f"prefetch_{prefetch}_ms"]
        print(f"{'first search_voices, prefetch ' + prefetch + ' (ms)':36}{first:>11}")
    print(f"{'create_session_token p50 (ms)':36}{results['anam_mcp']['create_session_token']['p50_ms']:>11}")
    print(f"{'peak RSS (MiB)':36}{results['anam_mcp']['peak_rss_mib']!s:>11}")
    for query, cpu in results["ranking_cpu_ms_3000_voices"].items():
        print(f"{'rank 3,000 voices ' + repr(query) + ' (CPU ms)':36}{cpu:>11}")
    print("\ntargets")
    for metric, value, target, ok in rows:
        print(f"  {'ok  ' if ok else 'MISS'} {metric:42}{value:>9}  {target}")


async def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark anam-mcp against the naive pattern.")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="latency the fake adds to every request")
    parser.add_argument("--warm-calls", type=int, default=60, help="warm searches per tool (>= 50)")
    parser.add_argument("--naive-calls", type=int, default=10, help="repeated searches through the naive server")
    parser.add_argument("--cold-runs", type=int, default=5, help="fresh processes per cold measurement (>= 1)")
    parser.add_argument("--startup-runs", type=int, default=9)
    parser.add_argument("--token-calls", type=int, default=30)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()

    # The fake shares this process with the client: keep long GC pauses from stalling its threads.
    gc.freeze()
    with FakeAnam(latency=args.latency_ms / 1000, cache_pages=True) as fake:
        results = await measure(fake, args)
    results["ranking_cpu_ms_3000_voices"] = ranking_cpu()
    rows = check(results)
    results["targets"] = [{"metric": m, "value": v, "target": t, "ok": ok} for m, v, t, ok in rows]
    report(results, rows)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output}")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(anyio.run(main))
