"""The knowledge toolset and teach_persona through the MCP client, with the server in memory, against the fake:
documents from a file, a URL and text; checks before anything is sent; safe downloads; processing and search;
teaching again without duplicates; deletes that ask first."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import ElicitRequestParams

from anam_fake import FakeAnam, Form
from anam_mcp.config import Settings
from anam_mcp.server import build_server

from .documents import docx, pdf
from .helpers import answering, call, in_memory, make_settings, text
from .tls_server import Document, TlsServer, tls_server

pytestmark = pytest.mark.anyio

GUIDE = "# Egypt room\n\nThe mummies rest on the second floor, next to the papyrus scrolls.\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
GROUPS = "/v1/knowledge/groups"


@pytest.fixture(autouse=True)
def quick_processing(fake: FakeAnam) -> None:
    fake.document_processing_seconds = 0.05


@pytest.fixture
def site(tmp_path: Path) -> Iterator[TlsServer]:
    """An https server on this machine, admitted by the `local` server's test-only settings."""
    folder = tmp_path / "site"
    folder.mkdir()
    with tls_server(folder) as running:
        yield running


@pytest.fixture
def other(tmp_path: Path) -> Iterator[TlsServer]:
    """Another https server on this machine, never admitted."""
    folder = tmp_path / "other"
    folder.mkdir()
    with tls_server(folder, {"/inside.md": Document(b"internal only", "text/markdown")}) as running:
        yield running


@pytest.fixture
def local_settings(fake: FakeAnam, site: TlsServer) -> Settings:
    return make_settings(fake, download_allowed_private=(site.host,), download_ca_file=site.ca_file)


@pytest.fixture
async def local(local_settings: Settings) -> AsyncIterator[Client]:
    """The server as stdio serves it (files may be read by path), admitting downloads from `site` only."""
    async with Client(build_server(local_settings, local_files=True)) as session:
        yield session


def persona_of(fake: FakeAnam, index: int = 0) -> dict[str, Any]:
    return fake.catalogues["/v1/personas"][index]


def downloads_left() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("anam-mcp-download-*"))


def uploads(fake: FakeAnam) -> list[Form]:
    return [r.body for r in fake.requests if r.method == "POST" and r.path.endswith("/documents")]


# -- the whole loop ---------------------------------------------------------------------------------


async def test_teach_from_a_file_a_url_and_text_then_search_finds_each(
    local: Client, fake: FakeAnam, site: TlsServer, tmp_path: Path
) -> None:
    hours = pdf("The museum opens at ten every morning")
    (tmp_path / "hours.pdf").write_bytes(hours)
    site.documents["/shop.docx"] = Document(docx("The gift shop sells scarab amulets"), DOCX)
    persona = persona_of(fake)
    taught = await call(
        local,
        "teach_persona",
        {
            "persona_id": persona["id"],
            "sources": [
                {"path": str(tmp_path / "hours.pdf")},
                {"url": f"{site.origin}/shop.docx"},
                {"text": GUIDE, "filename": "egypt.md"},
            ],
        },
    )
    assert [(d["filename"], d["status"], d["added"]) for d in taught["documents"]] == [
        ("hours.pdf", "READY", True),
        ("shop.docx", "READY", True),
        ("egypt.md", "READY", True),
    ]
    assert taught["still_processing"] == taught["failed"] == []
    assert taught["created"] == ["knowledge base", "knowledge tool", "attachment"]
    assert taught["knowledge_base_name"] == f"{persona['name']} knowledge ({persona['id'][:8]})"
    assert uploads(fake)[0].files["file"].data == hours  # every byte, as on disk
    for question, source in [
        ("when does the museum open", "hours.pdf"),
        ("scarab amulets in the shop", "shop.docx"),
        ("where are the mummies", "egypt.md"),
    ]:
        found = await call(
            local, "search_knowledge_base", {"knowledge_base_id": taught["knowledge_base_id"], "query": question}
        )
        assert found["items"][0]["filename"] == source, question
    shown = await call(local, "get_persona", {"persona_id": persona["id"]})
    assert shown["tools"] == [
        {"id": taught["knowledge_tool_id"], "name": taught["knowledge_tool_name"], "type": "knowledge"}
    ]


async def test_the_knowledge_tool_is_attached_without_losing_the_personas_other_tools(
    client: Client, fake: FakeAnam
) -> None:
    persona_id = persona_of(fake, 1)["id"]
    webhook = await call(
        client,
        "create_webhook_tool",
        {
            "name": "book_visit",
            "description": "Book a visit.",
            "url": "https://example.com/book",
            "attach_to_persona_id": persona_id,
        },
    )
    ending = await call(client, "create_system_tool", {"action": "end_call", "attach_to_persona_id": persona_id})
    taught = await call(client, "teach_persona", {"persona_id": persona_id, "sources": [{"text": GUIDE}]})
    shown = await call(client, "get_persona", {"persona_id": persona_id})
    assert [tool["id"] for tool in shown["tools"]] == [
        webhook["tool_id"],
        ending["tool_id"],
        taught["knowledge_tool_id"],
    ]
    assert fake.requests_to(f"/v1/personas/{persona_id}", "PUT")[-1].body == {
        "toolIds": [webhook["tool_id"], ending["tool_id"], taught["knowledge_tool_id"]]
    }


async def test_teaching_again_adds_only_what_is_new(client: Client, fake: FakeAnam) -> None:
    persona_id = persona_of(fake, 2)["id"]
    first = await call(
        client, "teach_persona", {"persona_id": persona_id, "sources": [{"text": GUIDE, "filename": "egypt.md"}]}
    )
    fake.clear()
    again = await call(
        client,
        "teach_persona",
        {
            "persona_id": persona_id,
            "sources": [
                {"text": GUIDE, "filename": "egypt.md"},
                {"text": "The café closes at five.", "filename": "cafe.md"},
                {"text": "The café closes at five.", "filename": "cafe.md"},  # the same file twice: uploaded once
            ],
        },
    )
    assert [(d["filename"], d["added"]) for d in again["documents"]] == [("egypt.md", False), ("cafe.md", True)]
    assert again["created"] == []
    assert (again["knowledge_base_id"], again["knowledge_tool_id"]) == (
        first["knowledge_base_id"],
        first["knowledge_tool_id"],
    )
    assert [form.files["file"].filename.split("~")[0] for form in uploads(fake)] == ["cafe"]
    assert len(fake.catalogues[GROUPS]) == 1
    assert [t["type"] for t in fake.catalogues["/v1/tools"]] == ["SERVER_RAG"]
    assert fake.requests_to(f"/v1/personas/{persona_id}", "PUT") == []  # attached already
    changed = await call(
        client,
        "teach_persona",
        {"persona_id": persona_id, "sources": [{"text": GUIDE + "New wing.", "filename": "egypt.md"}]},
    )
    assert [(d["filename"], d["added"]) for d in changed["documents"]] == [("egypt.md", True)]  # same name, new content


async def test_an_existing_knowledge_tool_for_the_base_is_reused_not_duplicated(client: Client, fake: FakeAnam) -> None:
    """A persona that lost its knowledge tool gets the same one back, not a second."""
    persona_id = persona_of(fake, 3)["id"]
    first = await call(client, "teach_persona", {"persona_id": persona_id, "sources": [{"text": GUIDE}]})
    await call(client, "update_persona", {"persona_id": persona_id, "tool_ids": []})
    again = await call(client, "teach_persona", {"persona_id": persona_id, "sources": [{"text": GUIDE}]})
    assert again["knowledge_tool_id"] == first["knowledge_tool_id"]
    assert again["created"] == ["attachment"]
    assert len(fake.catalogues["/v1/tools"]) == 1


async def test_a_renamed_persona_is_taught_into_the_base_its_knowledge_tool_searches(
    client: Client, fake: FakeAnam
) -> None:
    persona_id = persona_of(fake, 5)["id"]
    first = await call(client, "teach_persona", {"persona_id": persona_id, "sources": [{"text": GUIDE}]})
    await call(client, "update_persona", {"persona_id": persona_id, "name": "Renamed guide"})
    fake.clear()
    again = await call(client, "teach_persona", {"persona_id": persona_id, "sources": [{"text": GUIDE}]})
    assert (again["knowledge_base_id"], again["knowledge_tool_id"]) == (
        first["knowledge_base_id"],
        first["knowledge_tool_id"],
    )
    assert again["created"] == [] and [d["added"] for d in again["documents"]] == [False]
    assert uploads(fake) == [] and fake.requests_to(GROUPS, "POST") == []
    assert len(fake.catalogues[GROUPS]) == 1 and len(fake.catalogues["/v1/tools"]) == 1
    shown = await call(client, "get_persona", {"persona_id": persona_id})
    assert [tool["id"] for tool in shown["tools"]] == [first["knowledge_tool_id"]]


async def test_personas_with_the_same_name_get_a_knowledge_base_and_tool_each(client: Client, fake: FakeAnam) -> None:
    first_id, second_id = persona_of(fake, 6)["id"], persona_of(fake, 7)["id"]
    await call(client, "update_persona", {"persona_id": second_id, "name": persona_of(fake, 6)["name"]})
    first = await call(
        client, "teach_persona", {"persona_id": first_id, "sources": [{"text": GUIDE, "filename": "egypt.md"}]}
    )
    second = await call(
        client,
        "teach_persona",
        {"persona_id": second_id, "sources": [{"text": "The café closes at five.", "filename": "cafe.md"}]},
    )
    assert first["knowledge_base_id"] != second["knowledge_base_id"]
    assert first["knowledge_tool_id"] != second["knowledge_tool_id"]
    assert second["created"] == ["knowledge base", "knowledge tool", "attachment"]
    for persona_id, taught in [(first_id, first), (second_id, second)]:
        shown = await call(client, "get_persona", {"persona_id": persona_id})
        assert [tool["id"] for tool in shown["tools"]] == [taught["knowledge_tool_id"]]
    found = await call(
        client, "search_knowledge_base", {"knowledge_base_id": second["knowledge_base_id"], "query": "mummies"}
    )
    assert found["items"] == []  # what the first persona was taught is not the second's to find


async def test_a_knowledge_base_named_by_the_user_is_used_even_when_shared(client: Client, fake: FakeAnam) -> None:
    first_id, second_id = persona_of(fake, 9)["id"], persona_of(fake, 10)["id"]
    own = await call(client, "teach_persona", {"persona_id": second_id, "sources": [{"text": GUIDE}]})
    shared = {"knowledge_base_name": "Museum FAQ", "sources": [{"text": GUIDE}]}
    first = await call(client, "teach_persona", {"persona_id": first_id, **shared})
    second = await call(client, "teach_persona", {"persona_id": second_id, **shared})
    assert first["knowledge_base_id"] == second["knowledge_base_id"] != own["knowledge_base_id"]
    assert first["knowledge_base_name"] == "Museum FAQ" and second["created"] == ["attachment"]
    shown = await call(client, "get_persona", {"persona_id": second_id})
    assert [tool["id"] for tool in shown["tools"]] == [own["knowledge_tool_id"], first["knowledge_tool_id"]]


async def test_a_document_that_failed_before_is_uploaded_again(client: Client, fake: FakeAnam) -> None:
    """A processing failure may be passing: teaching the same file again retries it, in place of the failed copy."""
    persona_id = persona_of(fake, 8)["id"]
    first = await call(client, "teach_persona", {"persona_id": persona_id, "sources": [{"text": GUIDE}]})
    (stored,) = fake.catalogues["/v1/knowledge/documents"]
    stored.update(status="FAILED", errorMessage="Processing timed out.")  # as if Anam had a bad moment
    fake.clear()
    result = await client.call_tool("teach_persona", {"persona_id": persona_id, "sources": [{"text": GUIDE}]})
    again = result.structured_content
    assert again is not None and not result.is_error
    (document,) = again["documents"]
    assert (document["status"], document["added"], document["retried"]) == ("READY", True, True)
    assert document["document_id"] != first["documents"][0]["document_id"]
    assert again["failed"] == [] and "1 retried" in text(result)
    assert len(fake.requests_to(f"/v1/knowledge/documents/{stored['id']}", "DELETE")) == 1
    assert len(uploads(fake)) == 1
    listed = await call(client, "list_knowledge_documents", {"knowledge_base_id": first["knowledge_base_id"]})
    assert [(d["id"], d["status"]) for d in listed["items"]] == [(document["document_id"], "READY")]


async def test_a_document_that_fails_is_reported_with_its_reason(client: Client, fake: FakeAnam) -> None:
    persona_id = persona_of(fake, 4)["id"]
    result = await client.call_tool(
        "teach_persona",
        {
            "persona_id": persona_id,
            "sources": [{"text": "Scanned page", "filename": "failing-scan.md"}, {"text": GUIDE}],
        },
    )
    taught = result.structured_content
    assert taught is not None
    assert taught["failed"] == [
        "failing-scan.md: The document could not be processed: the file is damaged or protected"
    ]
    assert [d["status"] for d in taught["documents"]] == ["FAILED", "READY"]
    assert "failed: failing-scan.md: The document could not be processed" in text(result)
    listed = await call(client, "list_knowledge_documents", {"knowledge_base_id": taught["knowledge_base_id"]})
    assert {d["filename"]: d["error"] for d in listed["items"]}["failing-scan.md"].startswith("The document could not")


async def test_documents_still_processing_when_time_runs_out_are_named(fake: FakeAnam) -> None:
    fake.document_processing_seconds = 600
    async with in_memory(fake, tool_timeout_seconds=2) as client:
        with anyio.fail_after(10):
            taught = await call(
                client,
                "teach_persona",
                {"persona_id": persona_of(fake)["id"], "sources": [{"text": GUIDE, "filename": "slow.md"}]},
            )
        assert taught["still_processing"] == ["slow.md"]
        assert taught["documents"][0]["status"] == "PROCESSING"
        found = await call(
            client, "search_knowledge_base", {"knowledge_base_id": taught["knowledge_base_id"], "query": "mummies"}
        )
    assert found["items"] == []
    assert "still processing" in (found["note"] or "") and "slow.md" in (found["note"] or "")


async def test_progress_is_reported_while_uploading_and_processing(
    local: Client, fake: FakeAnam, tmp_path: Path
) -> None:
    big = tmp_path / "catalogue.csv"
    big.write_text("object,room\n" + "scarab amulet,Egypt room\n" * 150_000)  # 3.6 MB
    seen: list[tuple[float, float | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total))

    base = await call(local, "create_knowledge_base", {"name": "Objects"})
    await local.call_tool(
        "add_knowledge_document",
        {"knowledge_base_id": base["knowledge_base_id"], "path": str(big)},
        progress_callback=on_progress,
    )
    assert 5 <= len(seen) <= 21 and seen[-1] == (1.0, 1.0)  # in steps of 5 %, not one per chunk
    seen.clear()
    await local.call_tool(
        "teach_persona",
        {"persona_id": persona_of(fake)["id"], "sources": [{"path": str(big)}, {"text": GUIDE}]},
        progress_callback=on_progress,
    )
    assert seen and seen[-1] == (4, 4)
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)


# -- checked before anything is sent --------------------------------------------------------------------


def _bad_file(folder: Path, name: str) -> Path:
    path = folder / name
    if name == "big.pdf":
        with path.open("wb") as out:  # sparse: 51 MB that take no disk
            out.write(b"%PDF-1.4\n")
            out.truncate(51 * 1024 * 1024)
    else:
        path.write_bytes(BAD_CONTENT[name])
    return path


BAD_CONTENT = {
    "tool.exe": b"MZ\x90\x00",
    "README": b"plain words",
    "fake.pdf": b"just some text, not a PDF",
    "fake.docx": b"just some text, not a zip",
    "binary.txt": b"abc\x00\x01\x02",
    "latin1.md": "caf\u00e9 cr\u00e8me".encode("latin-1"),
    "empty.md": b"",
}
REFUSALS = {
    "big.pdf": "up to 50 MB",
    "tool.exe": "only PDF, TXT, MD, DOCX and CSV documents can be added",
    "README": "a name without an extension",
    "fake.pdf": "not really a PDF file",
    "fake.docx": "not really a DOCX file",
    "binary.txt": "not a text file",
    "latin1.md": "not a text file",
    "empty.md": "is empty",
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
async def test_files_too_big_or_of_the_wrong_type_are_refused_with_nothing_sent(
    local: Client, fake: FakeAnam, tmp_path: Path, name: str
) -> None:
    path = _bad_file(tmp_path, name)
    for tool, arguments in [
        ("add_knowledge_document", {"knowledge_base_id": str(uuid.uuid4()), "path": str(path)}),
        ("teach_persona", {"persona_id": persona_of(fake)["id"], "sources": [{"text": GUIDE}, {"path": str(path)}]}),
    ]:
        result = await local.call_tool(tool, arguments)
        assert result.is_error and REFUSALS[name] in text(result), (tool, text(result))
    assert fake.requests == []


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({}, "needs exactly one of path, url and text"),
        ({"text": "a", "url": "https://example.com/a.md"}, "needs exactly one of path, url and text"),
        ({"url": "http://example.com/a.md"}, "url must be an https:// URL"),
        ({"text": "a", "filename": "notes/a.md"}, "filename must be a file name with its extension, without a folder"),
        ({"text": "a", "filename": "a.pdf"}, "text is stored as a text file"),
    ],
)
async def test_a_source_is_one_of_path_url_and_text(
    client: Client, fake: FakeAnam, arguments: dict[str, Any], says: str
) -> None:
    result = await client.call_tool("add_knowledge_document", {"knowledge_base_id": str(uuid.uuid4()), **arguments})
    assert result.is_error and says in text(result), text(result)
    nested = await client.call_tool(
        "teach_persona", {"persona_id": persona_of(fake)["id"], "sources": [{"text": "ok"}, arguments]}
    )
    assert nested.is_error and says in text(nested), text(nested)
    if "must" in says or "needs" in says:
        assert "sources[1]" in text(nested)
    assert fake.requests == []


async def test_a_path_is_refused_where_files_cannot_be_read(settings: Settings, fake: FakeAnam, tmp_path: Path) -> None:
    """The server built as over HTTP: a path would name the server's files, not the caller's."""
    (tmp_path / "secret.md").write_text("server-side file")
    async with Client(build_server(settings)) as client:
        await _refused_paths(client, fake, tmp_path)
    assert fake.requests == []


async def _refused_paths(client: Client, fake: FakeAnam, tmp_path: Path) -> None:
    for tool, arguments in [
        ("add_knowledge_document", {"knowledge_base_id": str(uuid.uuid4()), "path": str(tmp_path / "secret.md")}),
        ("teach_persona", {"persona_id": persona_of(fake)["id"], "sources": [{"path": str(tmp_path / "secret.md")}]}),
    ]:
        result = await client.call_tool(tool, arguments)
        assert result.is_error and "Pass url or text instead" in text(result), text(result)


async def test_a_missing_file_is_named_and_home_is_expanded(local: Client, fake: FakeAnam) -> None:
    result = await local.call_tool(
        "add_knowledge_document", {"knowledge_base_id": str(uuid.uuid4()), "path": "~/no-such-notes.md"}
    )
    assert result.is_error and f"no file at {Path.home() / 'no-such-notes.md'}" in text(result)
    assert fake.requests == []


# -- downloads ------------------------------------------------------------------------------------------


async def test_downloads_from_local_or_private_addresses_are_refused(
    local: Client, fake: FakeAnam, site: TlsServer, other: TlsServer
) -> None:
    site.documents["/moved.md"] = Document(location=f"{other.origin}/inside.md")
    for url in [
        f"{other.origin}/inside.md",
        f"https://localhost:{other.port}/inside.md",
        "https://10.1.2.3/notes.md",
        "https://169.254.169.254/latest/meta-data",
        f"{site.origin}/moved.md",  # admitted, but it redirects to a server that is not
    ]:
        result = await local.call_tool("add_knowledge_document", {"knowledge_base_id": str(uuid.uuid4()), "url": url})
        assert result.is_error and "private or local address" in text(result), (url, text(result))
    assert other.requests == [] and site.requests == ["/moved.md"]
    assert fake.requests == []


async def test_a_downloaded_document_is_named_from_its_url_or_type_and_not_left_behind(
    local: Client, fake: FakeAnam, site: TlsServer
) -> None:
    site.documents["/files/42"] = Document(pdf("Opening hours"), "application/pdf")
    site.documents["/guide.md"] = Document(GUIDE.encode(), "text/markdown")
    base = await call(local, "create_knowledge_base", {"name": "Downloads"})
    before = downloads_left()
    named = await call(
        local,
        "add_knowledge_document",
        {"knowledge_base_id": base["knowledge_base_id"], "url": f"{site.origin}/files/42"},
    )
    kept = await call(
        local,
        "add_knowledge_document",
        {"knowledge_base_id": base["knowledge_base_id"], "url": f"{site.origin}/guide.md"},
    )
    assert (named["filename"], kept["filename"]) == ("42.pdf", "guide.md")
    assert downloads_left() == before


# -- the granular tools --------------------------------------------------------------------------------


async def test_knowledge_bases_are_made_listed_filled_and_searched(client: Client, fake: FakeAnam) -> None:
    fake.document_processing_seconds = 0  # READY when next read
    made = await call(client, "create_knowledge_base", {"name": "Museum FAQ", "description": "Visitor questions"})
    base_id = made["knowledge_base_id"]
    assert fake.requests_to(GROUPS, "POST")[0].body == {"name": "Museum FAQ", "description": "Visitor questions"}
    empty = await call(client, "search_knowledge_base", {"knowledge_base_id": base_id, "query": "tickets"})
    assert empty["items"] == [] and "no documents" in (empty["note"] or "")
    added = await call(
        client, "add_knowledge_document", {"knowledge_base_id": base_id, "text": "Tickets cost ten euros."}
    )
    assert (added["filename"], added["status"], added["size_bytes"]) == ("notes.md", "PROCESSING", 23)
    listed = await call(client, "list_knowledge_documents", {"knowledge_base_id": base_id})
    assert listed["items"] == [
        {"id": added["document_id"], "filename": "notes.md", "status": "READY", "error": None, "size_bytes": 23}
    ]
    found = await call(client, "list_knowledge_bases", {"query": "faq"})
    assert [(b["id"], b["name"], b["document_count"]) for b in found["items"]] == [(base_id, "Museum FAQ", 1)]
    passages = await call(
        client, "search_knowledge_base", {"knowledge_base_id": base_id, "query": "how much are tickets", "limit": 3}
    )
    assert passages["items"][0]["content"] == "Tickets cost ten euros." and passages["note"] is None
    assert fake.requests_to(f"{GROUPS}/{base_id}/search")[-1].body == {"query": "how much are tickets", "limit": 3}


async def test_unknown_ids_say_which_tool_lists_valid_ones(client: Client) -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("search_knowledge_base", {"knowledge_base_id": str(uuid.uuid4()), "query": "x"}, "list_knowledge_bases"),
        ("list_knowledge_documents", {"knowledge_base_id": str(uuid.uuid4())}, "list_knowledge_bases"),
        ("add_knowledge_document", {"knowledge_base_id": str(uuid.uuid4()), "text": "x"}, "list_knowledge_bases"),
        ("teach_persona", {"persona_id": str(uuid.uuid4()), "sources": [{"text": "x"}]}, "search_personas"),
        (
            "list_knowledge_documents",
            {"knowledge_base_id": "nope"},
            "knowledge_base_id must be a UUID (get one from list_knowledge_bases)",
        ),
    ]
    for tool, arguments, says in cases:
        result = await client.call_tool(tool, arguments)
        assert result.is_error and says in text(result), (tool, text(result))


# -- deletes ask first ----------------------------------------------------------------------------------


async def _base_with_a_document(settings: Settings) -> tuple[str, str]:
    async with Client(build_server(settings)) as c:
        base = await call(c, "create_knowledge_base", {"name": "Old exhibits"})
        added = await call(
            c,
            "add_knowledge_document",
            {"knowledge_base_id": base["knowledge_base_id"], "text": GUIDE, "filename": "old.md"},
        )
    return base["knowledge_base_id"], added["document_id"]


@pytest.mark.parametrize(("action", "confirm"), [("accept", True), ("accept", False), ("decline", None)])
@pytest.mark.parametrize("what", ["document", "base"])
async def test_deletes_ask_first_naming_what_goes(
    settings: Settings, fake: FakeAnam, what: str, action: str, confirm: bool | None
) -> None:
    base_id, document_id = await _base_with_a_document(settings)
    tool, arguments, named, path = (
        (
            "delete_knowledge_document",
            {"document_id": document_id},
            "'old.md'",
            f"/v1/knowledge/documents/{document_id}",
        )
        if what == "document"
        else (
            "delete_knowledge_base",
            {"knowledge_base_id": base_id},
            "'Old exhibits' and its 1 documents",
            f"{GROUPS}/{base_id}",
        )
    )
    asked: list[ElicitRequestParams] = []
    async with Client(build_server(settings), elicitation_callback=answering(action, confirm, asked)) as c:
        done = await call(c, tool, arguments)
    (question,) = asked
    assert named in question.message and "cannot be undone" in question.message
    assert done["deleted"] is (confirm is True)
    assert len(fake.requests_to(path, "DELETE")) == (1 if confirm else 0)
    assert bool(fake.catalogues["/v1/knowledge/documents"]) is not confirm


# -- the add_knowledge_to_persona prompt ----------------------------------------------------------------


async def test_the_knowledge_prompt_walks_from_sources_to_a_tested_persona(client: Client) -> None:
    prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    (argument,) = prompts["add_knowledge_to_persona"].arguments or []
    assert (argument.name, argument.required) == ("persona_id", True)
    persona_id = str(uuid.uuid4())
    got = await client.get_prompt("add_knowledge_to_persona", {"persona_id": persona_id})
    body = got.messages[0].content.text  # type: ignore[union-attr]
    steps = [
        "get_persona",
        "which documents",
        "teach_persona",
        "still processing",
        "search_knowledge_base",
        "create_share_link",
    ]
    positions = [body.index(step) for step in steps]
    assert positions == sorted(positions)
    assert f"persona_id={persona_id}" in body
