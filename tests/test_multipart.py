"""Uploads through the transport: a multipart body is exactly what a multipart parser expects, its length is
declared up front, a file streams from disk (memory stays flat however big it is, as a multipart part or as the
whole body of a PUT to a presigned URL, which never carries the API key), and a retry sends it again."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from anam_mcp.api.multipart import FileBody, FilePart, Multipart
from anam_mcp.api.transport import AnamClient
from anam_mcp.config import Settings

pytestmark = pytest.mark.anyio

# A receiver in a process of its own, so its memory is not counted here: it spools the body to disk, then
# parses it with the standard library's MIME parser and answers what it found. A first request can be told to
# fail (503) after reading the whole body, to see the retry send it again.
RECEIVER = r"""
import email.parser, email.policy, hashlib, json, sys, tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

failures = int(sys.argv[1])

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global failures
        length = int(self.headers["Content-Length"])
        whole = hashlib.sha256()
        with tempfile.TemporaryFile() as spool:
            left = length
            while left:
                chunk = self.rfile.read(min(left, 1 << 20))
                left -= len(chunk)
                spool.write(chunk)
                whole.update(chunk)
            spool.seek(0)
            head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + spool.read())
        parts = {}
        for part in message.iter_parts():
            payload = part.get_payload(decode=True)
            parts[part.get_param("name", header="content-disposition")] = {
                "filename": part.get_filename(), "type": part.get_content_type(),
                "sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload),
            }
        status = 503 if failures > 0 else 200
        failures -= 1
        seen = {"declared": length, "parts": parts, "type": self.headers["Content-Type"], "sha256": whole.hexdigest(),
                "authorization": self.headers["Authorization"]}
        body = json.dumps(seen).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = do_POST

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[str]:
    failures = getattr(request, "param", 0)
    process = subprocess.Popen(
        [sys.executable, "-c", RECEIVER, str(failures)], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        assert process.stdout is not None
        yield f"http://127.0.0.1:{process.stdout.readline().strip()}"
    finally:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def settings(url: str) -> Settings:
    return Settings.model_validate({"api_key": "test-key-0123456789", "api_url": url, "max_retries": 2})


@dataclass(frozen=True)
class BigFile:
    path: Path
    sha256: str
    size: int


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> BigFile:
    path = tmp_path_factory.mktemp("upload") / "talk.wav"
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for block in range(20):  # 20 MiB of varied bytes
            data = hashlib.sha256(str(block).encode()).digest() * (1 << 15)
            out.write(data)
            digest.update(data)
    return BigFile(path, digest.hexdigest(), path.stat().st_size)


async def test_a_big_file_streams_from_disk_with_flat_memory(receiver: str, big_file: BigFile) -> None:
    body = Multipart(
        fields={"name": "Talk", "language": "en"},
        files=[
            FilePart("file", "talk.wav", "audio/wav", path=big_file.path),
            FilePart("notes", "a.md", "text/markdown", data=b"# Hi\n"),
        ],
    )
    async with AnamClient(settings(receiver)) as client:
        tracemalloc.start()
        try:
            raw = await client.request("POST", "/upload", upload=body, idempotent=False)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    seen = json.loads(raw)
    assert seen["declared"] == int(body.headers()["Content-Length"])
    assert seen["parts"]["file"] == {
        "filename": "talk.wav",
        "type": "audio/wav",
        "sha256": big_file.sha256,
        "size": big_file.size,
    }
    assert seen["parts"]["notes"]["filename"] == "a.md" and seen["parts"]["notes"]["size"] == 5
    assert seen["parts"]["name"]["sha256"] == hashlib.sha256(b"Talk").hexdigest()
    assert peak < 4 * 1024 * 1024, f"uploading 20 MiB peaked at {peak / 2**20:.1f} MiB"


@pytest.mark.parametrize("receiver", [1], indirect=True)
async def test_a_retried_upload_is_sent_whole_again(receiver: str, tmp_path: Path) -> None:
    source = tmp_path / "doc.txt"
    source.write_bytes(b"x" * 300_000)
    body = Multipart(files=[FilePart("file", "doc.txt", "text/plain", path=source)])
    async with AnamClient(settings(receiver)) as client:
        # A PUT may be repeated: the first attempt gets a 503 after sending everything, the second succeeds.
        raw = await client.request("PUT", "/upload", upload=body, idempotent=True)
    assert json.loads(raw)["parts"]["file"]["size"] == 300_000


async def test_progress_counts_the_file_bytes_sent(receiver: str, big_file: BigFile) -> None:
    reported: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        reported.append((done, total))

    body = Multipart(files=[FilePart("file", "talk.wav", "audio/wav", path=big_file.path)], on_progress=progress)
    async with AnamClient(settings(receiver)) as client:
        await client.request("POST", "/upload", upload=body, idempotent=False)
    assert reported[-1] == (big_file.size, big_file.size)
    assert [done for done, _ in reported] == sorted(done for done, _ in reported)


async def test_a_file_as_the_whole_body_streams_with_flat_memory_and_without_the_key(
    receiver: str, big_file: BigFile
) -> None:
    reported: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        reported.append((done, total))

    async with AnamClient(settings(receiver)) as client:
        tracemalloc.start()
        try:
            upload = FileBody(big_file.path, "audio/wav", progress)
            raw = await client.request("PUT", f"{receiver}/put?sig=1", upload=upload, idempotent=True, send_key=False)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    seen = json.loads(raw)
    assert (seen["declared"], seen["sha256"], seen["type"]) == (big_file.size, big_file.sha256, "audio/wav")
    assert seen["authorization"] is None
    assert reported[-1] == (big_file.size, big_file.size)
    assert peak < 4 * 1024 * 1024, f"uploading 20 MiB peaked at {peak / 2**20:.1f} MiB"
