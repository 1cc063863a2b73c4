"""teach_persona: a saved persona learns from documents in one call, and calling it again adds only what is new.

The persona is taught into the knowledge base its knowledge tool searches; one without such a tool gets a
base of its own, whose default name holds a short form of the persona's id, so that renaming the persona, or
another persona of the same name, never leads to a second base or a shared one. Every source not in the base
yet is uploaded (the same file name and content is recognised by the digest in its stored name: see
documents.py); a copy that FAILED is deleted and uploaded again, as processing failures may be passing. The
persona gets a knowledge tool that searches the base (made once, attached once). The call then waits, within
the tool timeout, until each document is READY or FAILED, reporting progress, and says what is still
processing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Annotated, Literal
from uuid import UUID

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from ...api import knowledge
from ...api import persona_tools as tools_api
from ...api import personas as personas_api
from ...api.errors import NotFoundError
from ...api.knowledge import Document, KnowledgeBase
from ...api.persona_tools import PersonaTool
from ...api.personas import PersonaDetail
from ...api.transport import AnamClient
from ..arguments import Arguments, PersonaIdArg
from ..context import AppContext, app_of
from ..documents import Prepared, Source, prepare, shown
from ..toolkit import Hints, guarded, result
from .persona_tool_kinds import KnowledgeToolArgs

__all__ = ["teach_persona"]

_DONE = ("READY", "FAILED")
_HINTS: Hints = {NotFoundError: "Check persona_id: search_personas lists your saved personas."}
_FIRST_WAIT, _LONGEST_WAIT = 0.25, 2.0
# What became of a source: uploaded as new, uploaded again in place of a FAILED copy, or kept as it was there.
_Upload = Literal["added", "retried", "kept"]


class TeachArgs(Arguments):
    persona_id: PersonaIdArg
    sources: Annotated[list[Source], Field(min_length=1, max_length=20, description="Each: path, url or text.")]
    knowledge_base_name: Annotated[
        str | None,
        Field(min_length=1, max_length=100, description="Default: what its knowledge tool searches, else its own."),
    ] = None


class TaughtDocument(BaseModel):
    filename: str
    document_id: str
    status: str | None = Field(description="READY (searchable), PROCESSING or FAILED.")
    error: str | None = Field(description="Why it FAILED.")
    added: bool = Field(description="False: the same file (name and content) was there already.")
    retried: bool = Field(description="True: it had FAILED before; that copy was deleted and this one uploaded.")

    @classmethod
    def of(cls, document: Document, upload: _Upload) -> TaughtDocument:
        return cls(
            filename=shown(document.filename),
            document_id=document.id,
            status=document.status,
            error=document.error_message,
            added=upload != "kept",
            retried=upload == "retried",
        )


class TeachResult(BaseModel):
    persona_id: str
    knowledge_base_id: str
    knowledge_base_name: str
    knowledge_tool_id: str
    knowledge_tool_name: str
    created: list[str] = Field(description="What this call made: knowledge base, knowledge tool, attachment.")
    documents: list[TaughtDocument]
    still_processing: list[str] = Field(description="Not READY yet: see list_knowledge_documents later.")
    failed: list[str] = Field(description="Each FAILED file with its reason.")


async def teach_persona(ctx: Context[AppContext], args: TeachArgs) -> Annotated[CallToolResult, TeachResult]:
    """Give a saved persona knowledge from documents (PDF, TXT, MD, DOCX, CSV up to 50 MB; each source one of
    path, url or text, optional filename), in one call: its knowledge base, the uploads, a knowledge tool
    attached, and a wait until processed. Call again to add more or retry what FAILED: nothing is duplicated."""
    app = app_of(ctx)
    return await guarded(app, _teach(ctx, app, args), _HINTS)


async def _teach(ctx: Context[AppContext], app: AppContext, args: TeachArgs) -> CallToolResult:
    until = anyio.current_time() + app.settings.tool_timeout_seconds * 0.8  # time left to answer after waiting
    client = app.account().client
    prepared = await _prepared(app, args.sources)  # a source Anam would refuse stops the call before any request
    try:
        persona = await personas_api.get(client, args.persona_id)
        base, made = await _base(client, args.persona_id, persona, args.knowledge_base_name)
        taught = await _uploaded(ctx, client, base, prepared)
    finally:
        for document in prepared:
            await document.discard()
    tool, steps = await _knowledge_tool(client, args.persona_id, persona, base)
    made += steps

    async def report(done: int) -> None:
        await ctx.report_progress(len(prepared) + done, 2 * len(prepared), f"Processed {done} of {len(taught)}")

    settled = await _settled(client, base, taught, until, report)
    documents = [TaughtDocument.of(settled[document.id], upload) for document, upload in taught]
    outcome = TeachResult(
        persona_id=str(args.persona_id),
        knowledge_base_id=base.id,
        knowledge_base_name=base.name,
        knowledge_tool_id=tool.id,
        knowledge_tool_name=tool.name,
        created=made,
        documents=documents,
        still_processing=[d.filename for d in documents if d.status not in _DONE],
        failed=[
            f"{d.filename}: {(d.error or 'no reason given').rstrip('.')}" for d in documents if d.status == "FAILED"
        ],
    )
    return result(outcome, _summary(persona, outcome))


async def _prepared(app: AppContext, sources: list[Source]) -> list[Prepared]:
    """Every source checked (and downloaded) before anything is sent; the same file given twice, once."""
    prepared: list[Prepared] = []
    try:
        for source in sources:
            document = await prepare(app, source)
            if any(p.stored_name == document.stored_name for p in prepared):
                await document.discard()
            else:
                prepared.append(document)
    except BaseException:
        for document in prepared:
            await document.discard()
        raise
    return prepared


async def _base(
    client: AnamClient, persona_id: UUID, persona: PersonaDetail, wanted: str | None
) -> tuple[KnowledgeBase, list[str]]:
    """The knowledge base to teach, and ["knowledge base"] if it was made now.

    Without a name: the first base the persona's knowledge tools search, else its default base. A name the user
    gave is their choice: the base of that name (the persona's own first, as names need not be unique), shared
    with other personas or not, else a new one. The default name holds a short form of the persona's id, so it
    is the persona's own even when another persona has the same name."""
    bases = await knowledge.list_bases(client)
    by_id = {base.id: base for base in bases}
    searched = dict.fromkeys(base_id for tool in persona.tools or [] for base_id in tool.knowledge_base_ids)
    own = [by_id[base_id] for base_id in searched if base_id in by_id]  # not one deleted since
    if wanted is None and own:
        return own[0], []
    name = wanted or f"{persona.name or 'Persona'} knowledge ({persona_id.hex[:8]})"
    existing = next((base for base in [*own, *bases] if base.name == name), None)
    if existing is not None:
        return existing, []
    return await knowledge.create_base(client, {"name": name}), ["knowledge base"]


async def _uploaded(
    ctx: Context[AppContext], client: AnamClient, base: KnowledgeBase, prepared: list[Prepared]
) -> list[tuple[Document, _Upload]]:
    """Each document with what became of it. A copy with the same name and content that is READY or PROCESSING
    is kept; one that FAILED is deleted and the document uploaded again (a failure may have been passing)."""
    there: dict[str, list[Document]] = {}
    for listed in await knowledge.list_documents(client, UUID(base.id)):
        there.setdefault(listed.filename, []).append(listed)
    taught: list[tuple[Document, _Upload]] = []
    for number, document in enumerate(prepared):
        copies = there.get(document.stored_name, [])
        kept = next((copy for copy in copies if copy.status != "FAILED"), None)
        if kept is not None:
            taught.append((kept, "kept"))
            continue
        for failed in copies:
            with suppress(NotFoundError):  # deleted meanwhile: gone all the same
                await knowledge.delete_document(client, UUID(failed.id))

        async def report(share: float, number: int = number, name: str = document.filename) -> None:
            await ctx.report_progress(number + share, 2 * len(prepared), f"Uploading {name}")

        uploaded = await document.upload(client, UUID(base.id), report)
        taught.append((uploaded, "retried" if copies else "added"))
    return taught


async def _knowledge_tool(
    client: AnamClient, persona_id: UUID, persona: PersonaDetail, base: KnowledgeBase
) -> tuple[PersonaTool, list[str]]:
    """The persona's knowledge tool for `base`: one it has, else one the account has (attached), else a new one."""
    for tool in persona.tools or []:
        if base.id in tool.knowledge_base_ids:
            return tool, []
    tools = await tools_api.list_tools(client)
    found = next((t for t in tools if t.knowledge_base_ids == [base.id]), None)
    made: list[str] = []
    if found is None:
        names = {t.name for t in tools}
        stem = re.sub(r"[^a-z0-9]+", "_", f"search {base.name}".lower()).strip("_")[:60] or "search_knowledge"
        name = next(n for n in (stem, *(f"{stem}_{i}" for i in range(2, 1000))) if n not in names)
        description = f"Search {base.name!r} for facts before answering questions about what it covers."
        body = KnowledgeToolArgs(name=name, description=description, knowledge_base_ids=[UUID(base.id)]).body()
        found = await tools_api.create(client, body)
        made.append("knowledge tool")
    await personas_api.add_tool(client, persona_id, persona, found.id)
    return found, [*made, "attachment"]


async def _settled(
    client: AnamClient,
    base: KnowledgeBase,
    taught: list[tuple[Document, _Upload]],
    until: float,
    report: Callable[[int], Awaitable[None]],
) -> dict[str, Document]:
    """The documents as they are once each is READY or FAILED, or as they are at `until`, polling Anam."""
    wanted = {document.id for document, _ in taught}
    latest: dict[str, Document] = {document.id: document for document, _ in taught}
    wait = _FIRST_WAIT
    while True:
        done = sum(d.status in _DONE for d in latest.values())
        await report(done)
        if done == len(wanted) or anyio.current_time() + wait > until:
            return latest
        await anyio.sleep(wait)
        wait = min(wait * 1.5, _LONGEST_WAIT)
        listed = await knowledge.list_documents(client, UUID(base.id))
        latest.update({d.id: d for d in listed if d.id in wanted})


def _summary(persona: PersonaDetail, outcome: TeachResult) -> str:
    ready = sum(d.status == "READY" for d in outcome.documents)
    new = sum(d.added and not d.retried for d in outcome.documents)
    retried = sum(d.retried for d in outcome.documents)
    counts = f"{new} new, {retried} retried" if retried else f"{new} new"
    parts = [f"{ready} of {len(outcome.documents)} documents ready ({counts})"]
    if outcome.still_processing:
        parts.append(f"still processing: {', '.join(outcome.still_processing)}")
    if outcome.failed:
        parts.append(f"failed: {'; '.join(outcome.failed)}")
    made = f" Created: {', '.join(outcome.created)}." if outcome.created else " Nothing new to create."
    return (
        f"Taught the persona {persona.name or '(unnamed)'!r} from {outcome.knowledge_base_name!r}: "
        f"{'; '.join(parts)}. Its knowledge tool is {outcome.knowledge_tool_name!r}.{made} "
        "Test it with search_knowledge_base, then talk to it through create_share_link."
    )
