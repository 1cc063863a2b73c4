"""multipart/form-data bodies, as POST /v1/avatars and POST /v1/voices take them: text fields and files."""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass, field
from typing import Any

# Anam's API runs where a request body may be at most about 4.5 MB (its docs say so for POST /v1/voices).
MAX_FORM_BYTES = 9 * 1024 * 1024 // 2


@dataclass(frozen=True)
class FormFile:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Form:
    """A multipart body as the fake received it: its text fields and its files, by part name."""

    fields: dict[str, str]
    files: dict[str, FormFile]

    def summary(self) -> dict[str, Any]:
        """The form as a JSON-like object, each file as its name, type and size (for checks against the spec)."""
        files = {
            name: {"filename": f.filename, "contentType": f.content_type, "size": len(f.data)}
            for name, f in self.files.items()
        }
        return {**self.fields, **files}


def is_form(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "multipart/form-data"


def parse_form(content_type: str, raw: bytes) -> Form | None:
    """The form in `raw`, sent with the header `content_type`; None if it is not a well-formed one."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    if not message.is_multipart() or message.defects:
        return None
    fields: dict[str, str] = {}
    files: dict[str, FormFile] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            return None
        filename = part.get_filename()
        if filename is None:
            fields[name] = payload.decode("utf-8", "replace")
        else:
            files[name] = FormFile(filename, part.get_content_type(), payload)
    return Form(fields, files)
