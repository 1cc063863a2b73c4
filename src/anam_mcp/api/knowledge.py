"""The knowledge area: knowledge bases (Anam's knowledge groups, or folders), the documents in them, and
searching them as a persona's knowledge tool does (RAG).

A document is uploaded as multipart form data, then processed by Anam from PROCESSING to READY (searchable)
or FAILED (with an error message).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from pydantic import ValidationError, field_validator

from .decoding import parse_json, parse_one
from .errors import UnreadableResponseError
from .multipart import Multipart
from .records import AnamModel, Record, RecordT, listed, parse_records
from .transport import AnamClient

__all__ = [
    "Chunk",
    "Document",
    "KnowledgeBase",
    "create_base",
    "delete_base",
    "delete_document",
    "get_base",
    "get_document",
    "list_bases",
    "list_documents",
    "search",
    "upload",
]

_GROUPS = "/v1/knowledge/groups"
# Each formatted with a UUID only, so nothing a caller passes can change the path.
_GROUP = "/v1/knowledge/groups/{id}"
_GROUP_DOCUMENTS = "/v1/knowledge/groups/{id}/documents"
_GROUP_SEARCH = "/v1/knowledge/groups/{id}/search"
_DOCUMENT = "/v1/knowledge/documents/{id}"


@listed
class KnowledgeBase(Record):
    name: str = ""
    description: str | None = None
    document_count: int | None = None

    @field_validator("description", mode="after")
    @classmethod
    def _empty_is_none(cls, text: str | None) -> str | None:
        return text or None


@listed
class Document(Record):
    """A file in a knowledge base; only READY ones are searched."""

    filename: str = ""
    file_size: int | None = None
    status: str | None = None
    error_message: str | None = None


class Chunk(AnamModel):
    """A passage of a document that matched a search."""

    document_id: str | None = None
    filename: str | None = None
    content: str = ""
    score: float | None = None


async def list_bases(client: AnamClient) -> list[KnowledgeBase]:
    """Every knowledge base of the account (one unpaginated list)."""
    raw = await client.request("GET", _GROUPS, idempotent=True)
    return _records(KnowledgeBase, raw, "knowledge bases")


async def create_base(client: AnamClient, body: Mapping[str, Any]) -> KnowledgeBase:
    """POST /v1/knowledge/groups: an empty knowledge base. Not retried once it may have reached Anam."""
    raw = await client.request("POST", _GROUPS, json_body=body, idempotent=False)
    return parse_one(KnowledgeBase, raw, "the new knowledge base")


async def get_base(client: AnamClient, base_id: UUID) -> KnowledgeBase:
    raw = await client.request("GET", _GROUP.format(id=base_id), idempotent=True)
    return parse_one(KnowledgeBase, raw, "the knowledge base")


async def delete_base(client: AnamClient, base_id: UUID) -> bool:
    """False when Anam has no such knowledge base (already deleted)."""
    return await client.delete(_GROUP.format(id=base_id))


async def list_documents(client: AnamClient, base_id: UUID) -> list[Document]:
    raw = await client.request("GET", _GROUP_DOCUMENTS.format(id=base_id), idempotent=True)
    return _records(Document, raw, "documents")


async def upload(client: AnamClient, base_id: UUID, form: Multipart) -> Document:
    """POST the multipart `form` (its `file` part) to the knowledge base; the document starts PROCESSING.

    Not retried once it may have reached Anam: a second copy would be a duplicate document."""
    raw = await client.request("POST", _GROUP_DOCUMENTS.format(id=base_id), upload=form, idempotent=False)
    return parse_one(Document, raw, "the uploaded document")


async def get_document(client: AnamClient, document_id: UUID) -> Document:
    raw = await client.request("GET", _DOCUMENT.format(id=document_id), idempotent=True)
    return parse_one(Document, raw, "the document")


async def delete_document(client: AnamClient, document_id: UUID) -> bool:
    """False when Anam has no such document (already deleted)."""
    return await client.delete(_DOCUMENT.format(id=document_id))


async def search(client: AnamClient, base_id: UUID, query: str, limit: int) -> list[Chunk]:
    """The passages of the knowledge base's READY documents that best match `query`, best first.

    A search changes nothing, so it is retried like a read."""
    body = {"query": query, "limit": limit}
    raw = await client.request("POST", _GROUP_SEARCH.format(id=base_id), json_body=body, idempotent=True)
    payload = parse_json(raw)
    if not isinstance(payload, list):
        raise UnreadableResponseError("the search results are not a list")
    chunks = [chunk for entry in payload if (chunk := _chunk(entry)) is not None]
    return [chunk for chunk in chunks if chunk.content]


def _chunk(entry: Any) -> Chunk | None:
    """One search result, or None when it cannot be read (one odd entry must not hide the others)."""
    try:
        return Chunk.model_validate(entry)
    except ValidationError:
        return None


def _records(model: type[RecordT], raw: bytes, what: str) -> list[RecordT]:
    """A bare JSON array of records (these lists are not paginated); unreadable entries are left out."""
    payload = parse_json(raw)
    if not isinstance(payload, list):
        raise UnreadableResponseError(f"the {what} are not a list")
    return parse_records(model, payload)[0]
