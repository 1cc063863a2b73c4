"""Knowledge and persona tools where only a real process shows it: over stdio a persona learns from a file on
this machine, and a webhook's header values stay out of the server's log; over HTTP a path is refused (it
would name the server's files, not the caller's), while a URL and text work, and every one of these tools
answers in both protocol eras, the deletes asking where the era allows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp.types import ElicitRequestParams

from anam_fake import FakeAnam

from .documents import pdf
from .helpers import answering, call, text
from .http_server import HttpServer, Mode, http_env, http_server, mcp_client
from .raw_client import start
from .tls_server import Document, TlsServer, tls_server

pytestmark = [pytest.mark.anyio, pytest.mark.weight(6)]

SECRET = "whk-SeCrEt-0123456789"
ERAS: dict[str, Mode] = {"2025-11-25": "legacy", "2026-07-28": "auto"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    folder = tmp_path_factory.mktemp("site")
    with tls_server(folder, {"/hours.pdf": Document(pdf("The museum opens at ten"), "application/pdf")}) as running:
        yield running


@pytest.fixture(scope="module")
def remote() -> Iterator[FakeAnam]:
    """The Anam account of the HTTP server's callers, for the whole module."""
    with FakeAnam() as running:
        running.document_processing_seconds = 0.05
        yield running


@pytest.fixture(scope="module")
def served(remote: FakeAnam, site: TlsServer) -> Iterator[HttpServer]:
    env = http_env(
        remote, ANAM_DOWNLOAD_ALLOWED_PRIVATE=site.host, ANAM_DOWNLOAD_CA_FILE=str(site.ca_file), ANAM_LOG_LEVEL="DEBUG"
    )
    with http_server(env) as running:
        yield running


async def test_over_stdio_a_persona_learns_from_a_local_file_and_header_values_stay_out_of_the_log(
    fake: FakeAnam, tmp_path: Path
) -> None:
    fake.document_processing_seconds = 0.05
    (tmp_path / "egypt.md").write_text("The mummies rest on the second floor.\n")
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    server = await start(fake, tmp_path, ANAM_LOG_LEVEL="DEBUG")
    await server.initialize()
    taught = await server.request(
        1,
        "tools/call",
        {
            "name": "teach_persona",
            "arguments": {"persona_id": persona_id, "sources": [{"path": str(tmp_path / "egypt.md")}]},
        },
    )
    webhook = await server.request(
        2,
        "tools/call",
        {
            "name": "create_webhook_tool",
            "arguments": {
                "name": "book_visit",
                "description": "Book a visit.",
                "url": "https://example.com/book",
                "headers": {"Authorization": f"Bearer {SECRET}"},
                "attach_to_persona_id": persona_id,
            },
        },
    )
    code, stderr = await server.finish()
    assert code == 0
    result = taught["result"]
    assert result["isError"] is False, result
    assert [(d["filename"], d["status"]) for d in result["structuredContent"]["documents"]] == [("egypt.md", "READY")]
    assert webhook["result"]["structuredContent"]["headers"] == {"Authorization": "***"}
    assert "tool teach_persona: ok" in stderr and "tool create_webhook_tool: ok" in stderr
    assert SECRET not in stderr and SECRET not in "\n".join(server.lines)


async def test_over_http_a_path_is_refused_and_a_url_and_text_are_taught(
    served: HttpServer, remote: FakeAnam, site: TlsServer, tmp_path: Path
) -> None:
    remote.clear()
    (tmp_path / "server-side.md").write_text("a file on the server's disk")
    persona_id = remote.catalogues["/v1/personas"][1]["id"]
    async with mcp_client(served.mcp, remote.api_key) as client:
        refused = await client.call_tool(
            "teach_persona", {"persona_id": persona_id, "sources": [{"path": str(tmp_path / "server-side.md")}]}
        )
        assert remote.requests == []
        taught = await call(
            client,
            "teach_persona",
            {
                "persona_id": persona_id,
                "sources": [
                    {"url": f"{site.origin}/hours.pdf"},
                    {"text": "Tickets cost ten euros.", "filename": "tickets.md"},
                ],
            },
        )
        found = await call(
            client,
            "search_knowledge_base",
            {"knowledge_base_id": taught["knowledge_base_id"], "query": "when does the museum open"},
        )
    assert refused.is_error
    assert "reached over HTTP and cannot read your files. Pass url or text instead." in text(refused)
    assert [(d["filename"], d["status"]) for d in taught["documents"]] == [
        ("hours.pdf", "READY"),
        ("tickets.md", "READY"),
    ]
    assert found["items"][0]["filename"] == "hours.pdf"
    assert "tool teach_persona: error" in served.log() and "tool teach_persona: ok" in served.log()


@pytest.mark.parametrize("era", ERAS)
async def test_over_http_the_knowledge_and_persona_tools_answer_in_both_protocol_eras(
    served: HttpServer, remote: FakeAnam, era: str
) -> None:
    """Each kind of call once per era; the deletes ask where the era lets a stateless server ask."""
    persona_id = remote.catalogues["/v1/personas"][2]["id"]
    asked: list[ElicitRequestParams] = []
    async with mcp_client(
        served.mcp, remote.api_key, mode=ERAS[era], elicitation_callback=answering("accept", True, asked)
    ) as c:
        assert c.protocol_version == era
        base = await call(c, "create_knowledge_base", {"name": f"Leaflets {era}"})
        base_id = base["knowledge_base_id"]
        added = await call(
            c, "add_knowledge_document", {"knowledge_base_id": base_id, "text": "Audio guides: 3 euros."}
        )
        assert (await call(c, "list_knowledge_bases", {"query": era}))["items"][0]["id"] == base_id
        assert (await call(c, "list_knowledge_documents", {"knowledge_base_id": base_id}))["items"][0][
            "filename"
        ] == "notes.md"
        made = await call(
            c,
            "create_knowledge_tool",
            {
                "name": f"leaflets_{era}",
                "description": "Leaflets.",
                "knowledge_base_ids": [base_id],
                "attach_to_persona_id": persona_id,
            },
        )
        hook = await call(
            c,
            "create_webhook_tool",
            {
                "name": f"hook_{era}",
                "description": "Hook.",
                "url": "https://example.com/h",
                "headers": {"X-Key": SECRET},
            },
        )
        await call(c, "create_client_tool", {"name": f"map_{era}", "description": "Map."})
        await call(c, "create_system_tool", {"action": "end_call"})
        listed = await call(c, "list_persona_tools", {"query": era})
        assert {t["name"]: t["used_by_personas"] for t in listed["items"]}[f"leaflets_{era}"] == 1
        shown = await call(c, "get_persona", {"persona_id": persona_id})
        assert made["tool_id"] in [t["id"] for t in shown["tools"]]
        assert (await call(c, "delete_persona_tool", {"tool_id": hook["tool_id"]}))["deleted"] is True
        assert (await call(c, "delete_knowledge_document", {"document_id": added["document_id"]}))["deleted"] is True
        assert (await call(c, "delete_knowledge_base", {"knowledge_base_id": base_id}))["deleted"] is True
    # 2026-07-28 asks in the result (input_required); a stateless 2025-11-25 call has no way to ask.
    assert len(asked) == (3 if era == "2026-07-28" else 0)
    assert SECRET not in served.log()
