"""The knowledge toolset: knowledge bases a persona searches during a conversation (RAG), their documents,
and a search that shows what the persona would find. teach_persona (teach.py) does the whole job at once."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import ElicitationResult
from mcp.types import CallToolResult

from ...api import knowledge as api
from ...api.errors import NotFoundError, found
from ...api.transport import AnamClient
from ...search import index, rank
from ..asking import DeleteConfirmation, asking_to_delete, carried_out
from ..context import AppContext, app_of
from ..documents import prepare, shown
from ..search_results import listed_summary, search_result
from ..toolkit import CREATES, DESTRUCTIVE, ENSURES, READ_ONLY, Hints, guarded, model_tool, result
from ..toolsets import Toolset
from .knowledge_models import (
    AddedDocument,
    CreatedKnowledgeBase,
    DeletedDocument,
    DeletedKnowledgeBase,
    DocumentItem,
    DocumentList,
    DocumentRef,
    DocumentToAdd,
    KnowledgeBaseList,
    KnowledgeBaseRef,
    KnowledgeBaseSearch,
    KnowledgeSearch,
    NewKnowledgeBase,
    Passage,
    Passages,
)
from .teach import teach_persona

__all__ = ["TOOLSET"]

BASE_HINTS: Hints = {NotFoundError: "No knowledge base has this id: list_knowledge_bases lists yours."}
_DOCUMENT_HINTS: Hints = {
    NotFoundError: "No document has this id (it may have been deleted): list_knowledge_documents lists them."
}
_MOST_LISTED = 100


async def list_knowledge_bases(
    ctx: Context[AppContext], args: KnowledgeBaseSearch
) -> Annotated[CallToolResult, KnowledgeBaseList]:
    """List the knowledge bases in your account (documents a persona can search), with knowledge_base_id."""
    app = app_of(ctx)
    bases = await guarded(app, api.list_bases(app.account().client))
    found = rank(index(bases, lambda b: (b.name,), lambda b: b.description), args.query)
    return search_result(KnowledgeBaseList.of(found, _MOST_LISTED, None), args.query)


async def create_knowledge_base(
    ctx: Context[AppContext], args: NewKnowledgeBase
) -> Annotated[CallToolResult, CreatedKnowledgeBase]:
    """Create an empty knowledge base; fill it with add_knowledge_document. (teach_persona does it all.)"""
    app = app_of(ctx)
    body = args.model_dump(by_alias=True, exclude_none=True)
    base = await guarded(app, api.create_base(app.account().client, body))
    made = CreatedKnowledgeBase(knowledge_base_id=base.id, name=base.name or args.name)
    return result(made, f"Created the knowledge base {made.name!r} ({made.knowledge_base_id}).")


async def add_knowledge_document(
    ctx: Context[AppContext], args: DocumentToAdd
) -> Annotated[CallToolResult, AddedDocument]:
    """Add one document (PDF, TXT, MD, DOCX or CSV, up to 50 MB) to a knowledge base: exactly one of path,
    url or text. Anam then processes it (status PROCESSING, then READY or FAILED)."""
    app = app_of(ctx)
    return await guarded(app, _add(ctx, app, args), BASE_HINTS)


async def _add(ctx: Context[AppContext], app: AppContext, args: DocumentToAdd) -> CallToolResult:
    document = await prepare(app, args)

    async def report(share: float) -> None:
        await ctx.report_progress(share, 1.0, f"Uploading {document.filename}")

    try:
        uploaded = await document.upload(app.account().client, args.knowledge_base_id, report)
    finally:
        await document.discard()
    added = AddedDocument(
        document_id=uploaded.id,
        filename=shown(uploaded.filename),
        status=uploaded.status,
        size_bytes=document.size,
        knowledge_base_id=str(args.knowledge_base_id),
    )
    return result(
        added,
        f"Added {added.filename} ({added.size_bytes:,} bytes): {added.status or 'status unknown'}. "
        "list_knowledge_documents shows when it is READY.",
    )


async def list_knowledge_documents(
    ctx: Context[AppContext], args: KnowledgeBaseRef
) -> Annotated[CallToolResult, DocumentList]:
    """List a knowledge base's documents with their status (PROCESSING, READY, FAILED with the error)."""
    app = app_of(ctx)
    documents = await guarded(app, api.list_documents(app.account().client, args.knowledge_base_id), BASE_HINTS)
    items = [DocumentItem.of(document) for document in documents]
    counts = Counter((item.status or "unknown").lower() for item in items)
    states = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    listed = listed_summary("document", len(items), [item.filename for item in items], None)
    summary = f"{listed.removesuffix('.')} ({states})." if items else listed
    return result(DocumentList(knowledge_base_id=str(args.knowledge_base_id), items=items), summary)


async def search_knowledge_base(ctx: Context[AppContext], args: KnowledgeSearch) -> Annotated[CallToolResult, Passages]:
    """Search a knowledge base as its persona would: the passages found for a question, best first. Use it to
    test what a persona will know."""
    app = app_of(ctx)
    chunks, documents = await guarded(app, _search(app.account().client, args), BASE_HINTS)
    items = [
        Passage(filename=shown(c.filename or "") or None, content=c.content, score=c.score, document_id=c.document_id)
        for c in chunks
    ]
    waiting = [shown(d.filename) for d in documents if d.status not in ("READY", "FAILED")]
    note = None
    if waiting:
        note = f"{len(waiting)} document(s) still processing, not searched yet: {', '.join(waiting[:5])}."
    elif not documents:
        note = "The knowledge base has no documents: add some with add_knowledge_document or teach_persona."
    best = f": best from {items[0].filename} (score {items[0].score})" if items else ""
    summary = f"{len(items)} passage{'' if len(items) == 1 else 's'} for {args.query!r}{best}."
    return result(Passages(items=items, note=note), f"{summary} {note}" if note else summary)


async def _search(client: AnamClient, args: KnowledgeSearch) -> tuple[list[api.Chunk], list[api.Document]]:
    """The passages found, and the documents with their states (to say which were not searched)."""
    chunks = await api.search(client, args.knowledge_base_id, args.query, args.limit)
    return chunks, await api.list_documents(client, args.knowledge_base_id)


async def _document_named(ctx: Context[AppContext], args: DocumentRef) -> str | None:
    app = app_of(ctx)
    document = await guarded(app, found(api.get_document, app.account().client, args.document_id), _DOCUMENT_HINTS)
    return None if document is None else f"the knowledge document {shown(document.filename)!r} ({args.document_id})"


async def delete_knowledge_document(
    ctx: Context[AppContext],
    args: DocumentRef,
    answer: Annotated[ElicitationResult[DeleteConfirmation], asking_to_delete(_document_named)],
) -> Annotated[CallToolResult, DeletedDocument]:
    """Delete a document from its knowledge base for good (the user is asked first where the client can ask;
    if they decline, deleted is false)."""
    app = app_of(ctx)
    document_id = str(args.document_id)
    deleted, summary = await carried_out(
        answer,
        lambda: guarded(app, api.delete_document(app.account().client, args.document_id), _DOCUMENT_HINTS),
        f"document {document_id}",
        "list_knowledge_documents lists them",
    )
    return result(DeletedDocument(document_id=document_id, deleted=deleted), summary)


async def _base_named(ctx: Context[AppContext], args: KnowledgeBaseRef) -> str | None:
    app = app_of(ctx)
    base = await guarded(app, found(api.get_base, app.account().client, args.knowledge_base_id), BASE_HINTS)
    if base is None:
        return None
    count = f" and its {base.document_count} documents" if base.document_count else ""
    return f"the knowledge base {base.name!r}{count} ({args.knowledge_base_id})"


async def delete_knowledge_base(
    ctx: Context[AppContext],
    args: KnowledgeBaseRef,
    answer: Annotated[ElicitationResult[DeleteConfirmation], asking_to_delete(_base_named)],
) -> Annotated[CallToolResult, DeletedKnowledgeBase]:
    """Delete a knowledge base and its documents for good (asks first where the client can; if the user
    declines, deleted is false)."""
    app = app_of(ctx)
    base_id = str(args.knowledge_base_id)
    deleted, summary = await carried_out(
        answer,
        lambda: guarded(app, api.delete_base(app.account().client, args.knowledge_base_id), BASE_HINTS),
        f"knowledge base {base_id}",
        "list_knowledge_bases lists them",
    )
    made = DeletedKnowledgeBase(knowledge_base_id=base_id, deleted=deleted)
    return result(made, f"{summary} Its documents went with it." if deleted else summary)


TOOLSET = Toolset(
    "knowledge",
    "Knowledge bases a persona searches: documents, search, teach_persona.",
    "teach_persona gives a saved persona knowledge from documents in one call; search_knowledge_base shows "
    "what it would find. The other knowledge tools manage knowledge bases and documents one by one.",
    lambda: [
        model_tool(teach_persona, "Teach an Anam persona from documents", ENSURES),
        model_tool(list_knowledge_bases, "List Anam knowledge bases", READ_ONLY),
        model_tool(create_knowledge_base, "Create an Anam knowledge base", CREATES),
        model_tool(add_knowledge_document, "Add a document to an Anam knowledge base", CREATES),
        model_tool(list_knowledge_documents, "List an Anam knowledge base's documents", READ_ONLY),
        model_tool(search_knowledge_base, "Search an Anam knowledge base", READ_ONLY),
        model_tool(delete_knowledge_document, "Delete an Anam knowledge document", DESTRUCTIVE),
        model_tool(delete_knowledge_base, "Delete an Anam knowledge base", DESTRUCTIVE),
    ],
)
