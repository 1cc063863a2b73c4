"""What the fake does with an uploaded document: read its text, cut it into passages, and find the passages
that share the most words with a query (a stand-in for Anam's vector search)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

# The types Anam takes, by extension, and the MIME type it records for each.
FILE_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
MAX_BYTES = 50 * 1024 * 1024
CHUNK_CHARS = 1000
# A file whose name starts with this fails processing, so tests can see a FAILED document and its reason.
FAILS = "fail"

_PDF_TEXT = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj")
_XML_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W_]{3,}")


def extension(filename: str) -> str:
    return PurePosixPath(filename).suffix.lower()


def text_of(filename: str, data: bytes) -> str:
    """The text Anam would extract from the file; empty when there is none to find."""
    kind = extension(filename)
    if kind == ".pdf":
        return " ".join(part.decode("latin-1") for part in _PDF_TEXT.findall(data))
    if kind == ".docx":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                xml = archive.read("word/document.xml").decode("utf-8", "replace")
        except (zipfile.BadZipFile, KeyError):
            return ""
        return _XML_TAG.sub("", xml.replace("</w:p>", "\n\n"))
    return data.decode("utf-8", "replace")


def failure(filename: str, text: str) -> str | None:
    """Why processing this document fails, or None when it succeeds."""
    if filename.lower().startswith(FAILS):
        return "The document could not be processed: the file is damaged or protected."
    if not text.strip():
        return "No text could be extracted from the document."
    return None


def passages(text: str) -> list[str]:
    """The text cut at blank lines into passages of at most CHUNK_CHARS characters."""
    chunks: list[str] = []
    for paragraph in (p.strip() for p in re.split(r"\n\s*\n", text)):
        while paragraph:
            piece, paragraph = paragraph[:CHUNK_CHARS], paragraph[CHUNK_CHARS:].lstrip()
            if chunks and len(chunks[-1]) + len(piece) + 2 <= CHUNK_CHARS:
                chunks[-1] = f"{chunks[-1]}\n\n{piece}"
            else:
                chunks.append(piece)
    return chunks


def score(query: str, passage: str) -> float:
    """The share of the query's words (of three letters or more) that the passage contains."""
    wanted = set(_WORD.findall(query.lower()))
    return len(wanted & set(_WORD.findall(passage.lower()))) / len(wanted) if wanted else 0.0
