"""What the knowledge tools take and return: knowledge bases, their documents and the passages a search finds."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field

from ...api import knowledge as api
from ..arguments import Arguments, QueryArg, Supplier, not_boolean
from ..documents import Source, shown
from ..search_results import Item, SearchResult

KnowledgeBaseIdArg = Annotated[
    UUID, Field(description="From list_knowledge_bases or create_knowledge_base."), Supplier("list_knowledge_bases")
]
DocumentIdArg = Annotated[
    UUID, Field(description="From list_knowledge_documents."), Supplier("list_knowledge_documents")
]


class KnowledgeBaseSearch(Arguments):
    query: QueryArg = None


class NewKnowledgeBase(Arguments):
    name: Annotated[str, Field(min_length=1, max_length=100, description="Its name.")]
    description: Annotated[str | None, Field(min_length=1, max_length=1000, description="What it holds.")] = None


class KnowledgeBaseRef(Arguments):
    knowledge_base_id: KnowledgeBaseIdArg


class DocumentToAdd(Source):
    knowledge_base_id: KnowledgeBaseIdArg


class KnowledgeSearch(Arguments):
    knowledge_base_id: KnowledgeBaseIdArg
    query: Annotated[str, Field(min_length=1, max_length=1000, description="A question a user might ask.")]
    limit: Annotated[int, Field(ge=1, le=20, description="Most passages."), BeforeValidator(not_boolean)] = 5


class DocumentRef(Arguments):
    document_id: DocumentIdArg


class KnowledgeBaseItem(Item):
    id: str
    name: str
    description: str | None
    document_count: int | None

    @property
    def label(self) -> str:
        return self.name


class KnowledgeBaseList(SearchResult[KnowledgeBaseItem]):
    kind = "knowledge base"


class DocumentItem(BaseModel):
    id: str
    filename: str
    status: str | None = Field(description="PROCESSING, READY (searchable) or FAILED.")
    error: str | None = Field(description="Why it FAILED.")
    size_bytes: int | None

    @classmethod
    def of(cls, document: api.Document) -> DocumentItem:
        name = shown(document.filename)
        status, error = document.status, document.error_message
        return cls(id=document.id, filename=name, status=status, error=error, size_bytes=document.file_size)


class DocumentList(BaseModel):
    knowledge_base_id: str
    items: list[DocumentItem]


class CreatedKnowledgeBase(BaseModel):
    knowledge_base_id: str
    name: str


class AddedDocument(BaseModel):
    document_id: str
    filename: str
    status: str | None = Field(description="PROCESSING until Anam has read it, then READY or FAILED.")
    size_bytes: int
    knowledge_base_id: str


class Passage(BaseModel):
    filename: str | None
    content: str
    score: float | None = Field(description="Higher matches better.")
    document_id: str | None


class Passages(BaseModel):
    items: list[Passage]
    note: str | None = Field(description="Documents not searched yet (still processing), or none to search.")


class DeletedDocument(BaseModel):
    document_id: str
    deleted: bool = Field(description="False when nothing was deleted: the user declined, or it was already gone.")


class DeletedKnowledgeBase(BaseModel):
    knowledge_base_id: str
    deleted: bool = Field(description="False when nothing was deleted: the user declined, or it was already gone.")
