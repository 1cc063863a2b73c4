"""Knowledge and persona tools where only a real process shows it: over stdio a persona learns from a file on
this machine, and a webhook's header values stay out of the server's log; over HTTP a path is refused (it
would name the server's files, not the caller's), while a URL and text work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from anam_fake import FakeAnam

from .documents import pdf
from .helpers import call, text
from .http_server import HttpServer, http_env, http_server, mcp_client
from .raw_client import start
from .tls_server import Document, TlsServer, tls_server

pytestmark = [pytest.mark.anyio, pytest.mark.weight(6)]

SECRET = "whk-SeCrEt-0123456789"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[TlsServer]:
    folder = tmp_path / "site"
    folder.mkdir()
    with tls_server(folder, {"/hours.pdf": Document(pdf("The museum opens at ten"), "application/pdf")}) as running:
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
        {"name": "teach_persona", "arguments": {"persona_id": persona_id, "sources": [{"path": "egypt.md"}]}},
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


@pytest.fixture
def served(fake: FakeAnam, site: TlsServer) -> Iterator[HttpServer]:
    env = http_env(
        fake, ANAM_DOWNLOAD_ALLOWED_PRIVATE=site.host, ANAM_DOWNLOAD_CA_FILE=str(site.ca_file), ANAM_LOG_LEVEL="DEBUG"
    )
    with http_server(env) as running:
        yield running


async def test_over_http_a_path_is_refused_and_a_url_and_text_are_taught(
    served: HttpServer, fake: FakeAnam, site: TlsServer, tmp_path: Path
) -> None:
    fake.document_processing_seconds = 0.05
    (tmp_path / "server-side.md").write_text("a file on the server's disk")
    persona_id = fake.catalogues["/v1/personas"][1]["id"]
    async with mcp_client(served.mcp, fake.api_key) as client:
        refused = await client.call_tool(
            "teach_persona", {"persona_id": persona_id, "sources": [{"path": str(tmp_path / "server-side.md")}]}
        )
        assert fake.requests == []
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
