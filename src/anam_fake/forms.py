"""multipart/form-data bodies (document uploads), parsed exactly: every byte of a file as it was sent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?')
_NAME = re.compile(r'(?<![a-z])name="([^"]*)"', re.IGNORECASE)
_FILENAME = re.compile(r'filename="([^"]*)"', re.IGNORECASE)


@dataclass(frozen=True)
class FilePart:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Form:
    """A multipart body: its text fields and its files, by field name."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, FilePart] = field(default_factory=dict)


def is_form(content_type: str) -> bool:
    return content_type.lower().startswith("multipart/form-data")


def parse_form(raw: bytes, content_type: str) -> Form:
    """The parts of a multipart body; ValueError when it is not well formed."""
    found = _BOUNDARY.search(content_type)
    if found is None:
        raise ValueError("multipart body without a boundary")
    delimiter = b"\r\n--" + found.group(1).encode()
    sections = (b"\r\n" + raw).split(delimiter)
    if len(sections) < 3 or sections[0] != b"" or not sections[-1].startswith(b"--"):
        raise ValueError("multipart body not closed by its boundary")
    form = Form()
    for section in sections[1:-1]:
        head, separator, data = section.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("multipart part without headers")
        headers = _headers(head.decode("utf-8", "replace"))
        disposition = headers.get("content-disposition", "")
        name = _NAME.search(disposition)
        if name is None:
            raise ValueError("multipart part without a name")
        filename = _FILENAME.search(disposition)
        if filename is None:
            form.fields[unquote(name.group(1))] = data.decode("utf-8", "replace")
        else:
            content_type = headers.get("content-type", "application/octet-stream")
            form.files[unquote(name.group(1))] = FilePart(unquote(filename.group(1)), content_type, data)
    return form


def _headers(head: str) -> dict[str, str]:
    pairs = (line.partition(":") for line in head.split("\r\n") if line)
    return {name.strip().lower(): value.strip() for name, _, value in pairs}
