"""Load benchmark of `anam-mcp --http`: warm search_voices from 50 concurrent clients, against the SDK's floor.

In one run it starts the fake Anam API, `anam-mcp --http` (callers bring their own key, or sign in with
OAuth: ANAM_PUBLIC_URL is set) and bench/empty_http_server.py, an empty MCPServer over the same transport
(stateless streamable HTTP, JSON responses, uvicorn, access log on) whose one tool answers as many bytes as
the search does. It drives each with raw HTTP POSTs, the cheapest client there is, so the numbers are the
servers': `--concurrency` callers over one keep-alive connection pool make `--calls` calls to each, in both
protocol eras; anam-mcp is called once with the raw Anam key as the bearer and once with an OAuth access
token signed in with it. The three take turns in `--rounds` short rounds, so that other work on the machine
slows them alike. Then anam-mcp with 2 workers.

It prints a table, checks the targets (at least 70 % of the floor's calls/s, p99 at most twice the
floor's, and OAuth access tokens at least 90 % of raw keys' calls/s) and writes bench/http_results.json.
The exit status is 0 when every target holds, 1 otherwise.

    uv run python bench/http_load.py [--calls 3000] [--concurrency 50] [--rounds 6]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2

from anam_fake import FakeAnam

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.http_server import HttpServer, http_server  # noqa: E402
from bench.oauth_grant import free_port, grant  # noqa: E402
from bench.run import Row, percentile  # noqa: E402

EMPTY = [sys.executable, str(ROOT / "bench" / "empty_http_server.py"), "--port", "0"]
SEARCH = ("search_voices", {"query": "calm"})
ERAS = ("2025-11-25", "2026-07-28")
_MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}


def request(era: str, tool: str, arguments: dict[str, Any], key: str | None) -> tuple[dict[str, str], bytes]:
    """Headers and body of one tools/call POST: 2025-11-25 needs no initialize when stateless; 2026-07-28
    carries its version and capabilities in every request, and names the method and tool in headers."""
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    params: dict[str, Any] = {"name": tool, "arguments": arguments}
    if era == "2026-07-28":
        headers |= {"mcp-protocol-version": era, "mcp-method": "tools/call", "mcp-name": tool}
        params["_meta"] = _MODERN_META
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
    return headers, json.dumps(body).encode()


def answer_size(url: str, headers: dict[str, str], body: bytes) -> int:
    answer = httpx2.post(url, content=body, headers=headers, timeout=30)
    if answer.status_code != 200 or b'"isError":false' not in answer.content:
        raise RuntimeError(f"the warm-up call failed: {answer.status_code} {answer.text[:300]}")
    return len(answer.content)


@dataclass
class Run:
    """Latencies of every measured call and the seconds spent, over one or more rounds."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        return {
            "calls": len(ordered),
            "calls_per_s": round(len(ordered) / self.seconds, 1),
            "p50_ms": round(percentile(ordered, 50) * 1000, 1),
            "p99_ms": round(percentile(ordered, 99) * 1000, 1),
        }


async def load(url: str, headers: dict[str, str], body: bytes, calls: int, concurrency: int, run: Run) -> None:
    """`calls` POSTs from `concurrency` callers, added to `run`. Every answer must be a success."""
    remaining = calls
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(limits=limits, timeout=60) as http:

        async def caller(count: bool) -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                answer = await http.post(url, content=body, headers=headers)
                if answer.status_code != 200 or b'"isError":false' not in answer.content:
                    raise RuntimeError(f"call failed under load: {answer.status_code} {answer.text[:300]}")
                if count:
                    run.latencies.append(time.perf_counter() - started)

        # Open every connection first, so the measured calls pay no handshakes.
        remaining = concurrency
        async with anyio.create_task_group() as group:
            for _ in range(concurrency):
                group.start_soon(caller, False)
        remaining = calls
        started = time.perf_counter()
        async with anyio.create_task_group() as group:
            for _ in range(concurrency):
                group.start_soon(caller, True)
        run.seconds += time.perf_counter() - started


def ours(fake: FakeAnam, workers: int, concurrency: int) -> AbstractContextManager[HttpServer]:
    # All the clients here send one key, and the server caps each caller's requests in progress: let them all in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")} | {
        "ANAM_API_URL": fake.url,
        "ANAM_PREFETCH": "false",
        "ANAM_LOG_LEVEL": "INFO",
        "ANAM_HTTP_MAX_CALLS_PER_CALLER": str(concurrency),
    }
    return http_server(env, "--workers", str(workers))


def signing_in(fake: FakeAnam, concurrency: int, store: Path) -> AbstractContextManager[HttpServer]:
    """anam-mcp with OAuth on (a SQLite store), on a port chosen first: its public URL names it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANAM_")} | {
        "ANAM_API_URL": fake.url,
        "ANAM_PREFETCH": "false",
        "ANAM_LOG_LEVEL": "INFO",
        "ANAM_HTTP_MAX_CALLS_PER_CALLER": str(concurrency),
        "ANAM_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ANAM_OAUTH_SECRET": secrets.token_urlsafe(32),
        "ANAM_OAUTH_STORE": str(store),
    }
    return http_server(env, "--port", str(port))


async def access_token(server: HttpServer, key: str) -> str:
    """An OAuth access token, signed in with `key` on the sign-in page as a client would (without a browser)."""
    async with httpx2.AsyncClient(timeout=30) as http:
        _, tokens = await grant(http, server.url, key, f"http://127.0.0.1:{free_port()}/callback")
    token: str = tokens["access_token"]
    return token


def floor() -> AbstractContextManager[HttpServer]:
    return http_server(dict(os.environ), command=EMPTY)


async def measure(fake: FakeAnam, args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"calls": args.calls, "concurrency": args.concurrency, "eras": {}}
    with (
        tempfile.TemporaryDirectory(prefix="anam-bench-oauth-") as folder,
        signing_in(fake, args.concurrency, Path(folder) / "oauth.sqlite3") as server,
        floor() as empty,
    ):
        token = await access_token(server, fake.api_key)
        for era in ERAS:
            headers, body = request(era, *SEARCH, key=fake.api_key)
            size = answer_size(server.mcp, headers, body)  # also loads the voice catalogue: every call is warm
            oauth_headers, _ = request(era, *SEARCH, key=token)
            if answer_size(server.mcp, oauth_headers, body) != size:
                raise RuntimeError("an OAuth access token's answer differs from the raw key's")
            empty_headers, empty_body = request(era, "payload", {"size": 0}, key=None)
            padding = size - answer_size(empty.mcp, empty_headers, empty_body)
            floor_headers, floor_body = request(era, "payload", {"size": padding}, key=None)
            floor_size = answer_size(empty.mcp, floor_headers, floor_body)
            ours_run, oauth_run, floor_run = Run(), Run(), Run()
            share = max(args.concurrency, args.calls // args.rounds)
            for _ in range(args.rounds):  # in turn, in short rounds, so that other work on the machine hits all alike
                await load(empty.mcp, floor_headers, floor_body, share, args.concurrency, floor_run)
                await load(server.mcp, headers, body, share, args.concurrency, ours_run)
                await load(server.mcp, oauth_headers, body, share, args.concurrency, oauth_run)
            results["eras"][era] = {
                "answer_bytes": {"anam_mcp": size, "empty_mcpserver": floor_size},
                "anam_mcp": ours_run.summary(),
                "anam_mcp_oauth": oauth_run.summary(),
                "empty_mcpserver": floor_run.summary(),
            }
    with ours(fake, 2, args.concurrency) as server:
        results["two_workers"] = {}
        for era in ERAS:
            headers, body = request(era, *SEARCH, key=fake.api_key)
            for _ in range(2):  # each worker loads the catalogue on its first call: warm both
                await load(server.mcp, headers, body, args.concurrency, args.concurrency, Run())
            run = Run()
            await load(server.mcp, headers, body, args.calls, args.concurrency, run)
            results["two_workers"][era] = run.summary()
    return results


def check(results: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for era, numbers in results["eras"].items():
        ours, floor = numbers["anam_mcp"], numbers["empty_mcpserver"]
        share = round(ours["calls_per_s"] / floor["calls_per_s"] * 100, 1)
        rows.append((f"{era} calls/s, % of the floor's", share, ">= 70", share >= 70))
        limit = round(floor["p99_ms"] * 2, 1)
        rows.append((f"{era} p99 (ms)", ours["p99_ms"], f"<= {limit} (2 x the floor's)", ours["p99_ms"] <= limit))
        oauth = round(numbers["anam_mcp_oauth"]["calls_per_s"] / ours["calls_per_s"] * 100, 1)
        rows.append((f"{era} OAuth calls/s, % of raw key's", oauth, ">= 90", oauth >= 90))
    return rows


def report(results: dict[str, Any], rows: list[Row]) -> None:
    print(
        f"\nanam-mcp --http load: warm {SEARCH[0]}, {results['concurrency']} concurrent clients, "
        f"{results['calls']} calls each, in turns\n"
    )
    print(f"{'':40}{'calls/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'bytes':>10}")
    for era, numbers in results["eras"].items():
        for name, label in (
            ("anam_mcp", "anam-mcp"),
            ("anam_mcp_oauth", "anam-mcp, OAuth token"),
            ("empty_mcpserver", "empty MCPServer (floor)"),
        ):
            row = numbers[name]
            size = numbers["answer_bytes"][name.removesuffix("_oauth")]
            print(f"{era + ' ' + label:40}{row['calls_per_s']:>10}{row['p50_ms']:>10}{row['p99_ms']:>10}{size:>10}")
        two = results["two_workers"][era]
        print(f"{era + ' anam-mcp, 2 workers':40}{two['calls_per_s']:>10}{two['p50_ms']:>10}{two['p99_ms']:>10}")
    print("\ntargets")
    for metric, value, target, ok in rows:
        print(f"  {'ok  ' if ok else 'MISS'} {metric:42}{value:>9}  {target}")


async def main() -> int:
    parser = argparse.ArgumentParser(description="Load benchmark of anam-mcp --http against an empty MCPServer.")
    parser.add_argument("--calls", type=int, default=3000, help="calls measured per server and era")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent clients")
    parser.add_argument("--rounds", type=int, default=6, help="the calls are made in this many turns per server")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "http_results.json")
    args = parser.parse_args()

    with FakeAnam(cache_pages=True) as fake:
        results = await measure(fake, args)
    rows = check(results)
    results["targets"] = [{"metric": m, "value": v, "target": t, "ok": ok} for m, v, t, ok in rows]
    report(results, rows)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output}")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(anyio.run(main))
