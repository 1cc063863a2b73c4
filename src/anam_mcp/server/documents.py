"""Documents for a knowledge base, from wherever the user has them: a file on this machine (over stdio only),
an https URL (downloaded with the guards of downloads.py), or text given inline.

Each is checked before anything is sent to Anam: a type Anam takes (PDF, TXT, MD, DOCX, CSV), by its
extension and by its content, and at most 50 MB. It is stored under its name with a digest of its content
added (`guide.md` as `guide~3f2a9c1b4d5e.md`), so that the same file is recognised when it is added again,
and uploaded as a streamed multipart body.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Annotated, Self
from uuid import UUID

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator, Field, model_validator

from ..api import knowledge
from ..api.multipart import FilePart, Multipart
from ..api.transport import AnamClient
from ..downloads import DownloadError, download
from .arguments import Arguments
from .context import AppContext

__all__ = ["MAX_BYTES", "Prepared", "Source", "prepare", "shown"]

MAX_BYTES = 50 * 1024 * 1024
_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_BY_CONTENT_TYPE = {content_type: extension for extension, content_type in _TYPES.items()}
_TEXT = (".txt", ".md", ".csv")
# How a PDF and a DOCX (a zip archive) begin.
_MAGIC = {".pdf": b"%PDF-", ".docx": b"PK\x03\x04"}
_HEAD_BYTES = 8192
_DIGEST_CHARS = 12
_TAGGED = re.compile(rf"^(?P<stem>.+)~[0-9a-f]{{{_DIGEST_CHARS}}}(?P<suffix>\.[A-Za-z0-9]+)$")


def _https(url: str) -> str:
    if not url.startswith("https://") or len(url) <= len("https://"):
        raise ValueError("must be an https:// URL")
    return url


def _plain_name(name: str) -> str:
    if "/" in name or "\\" in name or name.strip() != name:
        raise ValueError("must be a file name with its extension, without a folder")
    return name


PathArg = Annotated[str | None, Field(min_length=1, max_length=4096, description="A file here (stdio only).")]
UrlArg = Annotated[str | None, Field(max_length=2048, description="An https document."), AfterValidator(_https)]
TextArg = Annotated[str | None, Field(min_length=1, description="The content itself.")]
FilenameArg = Annotated[
    str | None,
    Field(min_length=1, max_length=200, description="Name to store it as, e.g. faq.md (text: notes.md)."),
    AfterValidator(_plain_name),
]


# Where one document comes from: exactly one of path, url and text; and the name to store it as. (No docstring:
# in teach_persona's input schema it would be one more description every conversation pays for.)
class Source(Arguments):
    path: PathArg = None
    url: UrlArg = None
    text: TextArg = None
    filename: FilenameArg = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if sum(source is not None for source in (self.path, self.url, self.text)) != 1:
            raise ValueError("needs exactly one of path, url and text")
        return self


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked document, ready to upload: its content on disk (`path`) or in memory (`data`)."""

    filename: str
    size: int
    digest: str
    path: Path | None = None
    data: bytes | None = None
    downloaded: bool = False  # `path` is a temporary file of ours

    @property
    def stored_name(self) -> str:
        """The name it is stored under: its own, with the start of its content's digest added."""
        name = PurePath(self.filename)
        return f"{name.stem}~{self.digest[:_DIGEST_CHARS]}{name.suffix}"

    async def upload(
        self, client: AnamClient, base_id: UUID, report: Callable[[float], Awaitable[None]] | None = None
    ) -> knowledge.Document:
        """Upload to the knowledge base, streamed; `report` hears the share sent (0 to 1) at 5 % steps."""
        content_type = _TYPES[PurePath(self.filename).suffix.lower()]
        part = FilePart("file", self.stored_name, content_type, path=self.path, data=self.data)
        on_progress = None if report is None else _share(report)
        return await knowledge.upload(client, base_id, Multipart(files=[part], on_progress=on_progress))

    async def discard(self) -> None:
        """Delete the downloaded copy, if this is one."""
        if self.downloaded and self.path is not None:
            await anyio.Path(self.path).unlink(missing_ok=True)


def shown(stored_name: str) -> str:
    """A stored document name as the user knows it: without the digest (a name not stored by us, unchanged)."""
    tagged = _TAGGED.match(stored_name)
    return stored_name if tagged is None else tagged["stem"] + tagged["suffix"]


async def prepare(app: AppContext, source: Source) -> Prepared:
    """The document `source` names, checked; a ToolError saying what is wrong with it otherwise. A download is
    deleted again if its content is refused."""
    path, url, text, filename = source.path, source.url, source.text, source.filename
    if text is not None:
        data = text.encode()
        name = filename or "notes.md"
        if PurePath(name).suffix.lower() not in _TEXT:
            raise ToolError(f"{name}: text is stored as a text file, so filename must end in .md, .txt or .csv.")
        _check(name, len(data), data[:_HEAD_BYTES])
        return Prepared(name, len(data), hashlib.sha256(data).hexdigest(), data=data)
    if path is not None:
        file = app.local_file(path, "path", "url or text")
        return await _checked_file(file, filename or file.name, downloaded=False)
    assert url is not None
    s = app.settings
    try:
        got = await download(
            url,
            max_bytes=MAX_BYTES,
            timeout_seconds=s.tool_timeout_seconds * 0.6,  # leaves time to upload what came
            allowed_private=s.download_allowed_private,
            ca_file=s.download_ca_file,
        )
    except DownloadError as exc:
        raise ToolError(f"Could not download the document: {exc}.") from exc
    name = filename or got.filename
    if not PurePath(name).suffix and got.content_type in _BY_CONTENT_TYPE:
        name += _BY_CONTENT_TYPE[got.content_type]
    try:
        return await _checked_file(got.path, name, downloaded=True)
    except BaseException:
        await anyio.Path(got.path).unlink(missing_ok=True)
        raise


async def _checked_file(file: Path, name: str, *, downloaded: bool) -> Prepared:
    try:
        size, head, digest = await anyio.to_thread.run_sync(_read, file)
    except OSError as exc:
        raise ToolError(f"{name} could not be read ({exc.strerror or type(exc).__name__}).") from exc
    _check(name, size, head)
    return Prepared(name, size, digest, path=file, downloaded=downloaded)


def _read(file: Path) -> tuple[int, bytes, str]:
    """The file's size, its first bytes and the SHA-256 of all of it (read in a worker thread); a file over the
    size cap is not read past its first bytes, as it will be refused."""
    digest = hashlib.sha256()
    with file.open("rb") as source:
        head = source.read(_HEAD_BYTES)
        if (size := os.fstat(source.fileno()).st_size) > MAX_BYTES:
            return size, head, ""
        digest.update(head)
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return size, head, digest.hexdigest()


def _check(name: str, size: int, head: bytes) -> None:
    """A ToolError when Anam would refuse the document: its type, by extension and content, or its size."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in _TYPES:
        kind = f"a {suffix} file" if suffix else "a name without an extension"
        raise ToolError(f"{name}: only PDF, TXT, MD, DOCX and CSV documents can be added, not {kind}.")
    if size > MAX_BYTES:
        raise ToolError(f"{name} is {size / 1024 / 1024:.0f} MB or more: Anam takes documents of up to 50 MB.")
    if size == 0:
        raise ToolError(f"{name} is empty.")
    magic = _MAGIC.get(suffix)
    if magic is not None and not head.startswith(magic):
        raise ToolError(f"{name} is not really a {suffix[1:].upper()} file: its content does not start like one.")
    if suffix in _TEXT and not _is_text(head):
        raise ToolError(f"{name} is not a text file: it holds binary data, or text that is not UTF-8.")


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # the head may end mid-character
    except UnicodeDecodeError:
        return False
    return True


def _share(report: Callable[[float], Awaitable[None]]) -> Callable[[int, int], Awaitable[None]]:
    """Progress in bytes (as the body reports it, every 5 %) passed on as the share sent, 0 to 1."""

    async def on_progress(sent: int, total: int) -> None:
        await report(sent / max(total, 1))

    return on_progress
