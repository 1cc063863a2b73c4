"""Uploads streamed from their source: a multipart form, or one file as the whole body (a PUT to a presigned
URL). A file is read from disk a chunk at a time as it is sent, never whole into memory, and the body can be
sent again on a retry (`chunks()` starts it afresh)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio

from .transport import ProgressCallback

__all__ = ["FileBody", "FilePart", "Multipart"]

_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class FilePart:
    """One file in a multipart body: from `path` on disk, or `data` given inline (small text, say)."""

    name: str
    filename: str
    content_type: str
    path: Path | None = None
    data: bytes | None = None

    def __post_init__(self) -> None:
        if (self.path is None) == (self.data is None):
            raise ValueError("a file part needs exactly one of path and data")

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path is not None else len(self.data or b"")

    async def chunks(self) -> AsyncIterator[bytes]:
        if self.data is not None:
            yield self.data
            return
        assert self.path is not None
        async with await anyio.open_file(self.path, "rb") as source:
            while chunk := await source.read(_CHUNK):
                yield chunk


@dataclass(frozen=True, slots=True)
class Multipart:
    """A multipart/form-data body of text `fields` and `files`, with its exact length known before sending."""

    fields: Mapping[str, str] = field(default_factory=dict)
    files: Sequence[FilePart] = ()
    on_progress: ProgressCallback | None = None
    boundary: str = field(default_factory=lambda: f"anam-mcp-{secrets.token_hex(16)}")

    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary}",
            "Content-Length": str(self._length()),
        }

    def _field_head(self, name: str) -> bytes:
        return f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'.encode()

    def _file_head(self, part: FilePart) -> bytes:
        return (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quoted(part.name)}"; '
            f'filename="{_quoted(part.filename)}"\r\nContent-Type: {part.content_type}\r\n\r\n'
        ).encode()

    def _tail(self) -> bytes:
        return f"--{self.boundary}--\r\n".encode()

    def _length(self) -> int:
        fields = sum(len(self._field_head(n)) + len(v.encode()) + 2 for n, v in self.fields.items())
        files = sum(len(self._file_head(part)) + part.size + 2 for part in self.files)
        return fields + files + len(self._tail())

    async def chunks(self) -> AsyncIterator[bytes]:
        progress = _Progress(self.on_progress, sum(part.size for part in self.files))
        for name, value in self.fields.items():
            yield self._field_head(name) + value.encode() + b"\r\n"
        for part in self.files:
            yield self._file_head(part)
            async for chunk in part.chunks():
                yield chunk
                await progress.sent(len(chunk))
            yield b"\r\n"
        yield self._tail()


@dataclass(frozen=True, slots=True)
class FileBody:
    """One file on disk as the whole request body, of type `content_type`, its length declared up front."""

    path: Path
    content_type: str
    on_progress: ProgressCallback | None = None

    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(self.path.stat().st_size)}

    async def chunks(self) -> AsyncIterator[bytes]:
        part = FilePart("file", self.path.name, self.content_type, path=self.path)
        progress = _Progress(self.on_progress, part.size)
        async for chunk in part.chunks():
            yield chunk
            await progress.sent(len(chunk))


class _Progress:
    """Bytes of a body's files sent so far, passed on to `report` at most once per step of 5 % (not per chunk)."""

    _STEPS = 20

    def __init__(self, report: ProgressCallback | None, total: int) -> None:
        self._report, self._total = report, total
        self._done, self._step = 0, -1

    async def sent(self, size: int) -> None:
        self._done += size
        step = self._done * self._STEPS // max(self._total, 1)
        if self._report is not None and step > self._step:
            self._step = step
            await self._report(self._done, self._total)


def _quoted(text: str) -> str:
    """`text` safe inside a quoted header parameter (RFC 7578: quotes and line breaks percent-encoded)."""
    return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
