"""The fake and the client checked against Anam's OpenAPI spec, so neither drifts from the real API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio
import pytest
from pydantic.alias_generators import to_camel

from anam_fake import (
    CARA_VOICE_ID,
    GPT4O_MINI_LLM_ID,
    FakeAnam,
    Form,
    FormFile,
    InviteLimits,
    RecordedRequest,
    validate_avatar_body,
    validate_group_body,
    validate_invite_body,
    validate_persona_body,
    validate_presign_body,
    validate_search_body,
    validate_session_body,
    validate_share_link_body,
    validate_tool_body,
    validate_upload,
    validate_voice_body,
)
from anam_mcp.api.multipart import FilePart, Multipart
from anam_mcp.server.tools.knowledge_models import NewKnowledgeBase
from anam_mcp.server.tools.meeting_arguments import MeetingInviteArgs
from anam_mcp.server.tools.persona_tool_kinds import (
    ClientToolArgs,
    KnowledgeToolArgs,
    NewPersonaTool,
    SystemToolArgs,
    WebhookToolArgs,
)
from anam_mcp.server.tools.personas import PersonaUpdate, SavedPersona
from anam_mcp.server.tools.sessions import SessionTokenArgs
from anam_mcp.server.tools.share_links import ShareLinkRequest

from .helpers import call, in_memory
from .openapi import (
    SPEC,
    meeting_request_validator,
    request_validator,
    response_validator,
    session_request_validator,
    tool_request_validator,
)


def fetch(fake: FakeAnam, path: str) -> Any:
    request = urllib.request.Request(fake.url + path, headers={"Authorization": f"Bearer {fake.api_key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("path", ["/v1/avatars", "/v1/voices", "/v1/llms", "/v1/personas"])
def test_every_page_the_fake_serves_matches_the_spec(fake: FakeAnam, path: str) -> None:
    validator = response_validator(f"GET {path}")
    page, last = 1, 1
    while page <= last:
        body = fetch(fake, f"{path}?page={page}&perPage=100&includeDefaults=true")
        errors = [e.message for e in validator.iter_errors(body)]
        assert errors == [], f"{path} page {page}: {errors[:3]}"
        last = body["meta"]["lastPage"]
        page += 1
    assert page > 1


def test_the_fakes_session_token_answer_matches_the_spec(fake: FakeAnam) -> None:
    data = json.dumps({"personaConfig": {"voiceId": "6bfbe25a-979d-40f3-a92b-5394170af54b"}}).encode()
    request = urllib.request.Request(
        fake.url + "/v1/auth/session-token",
        data=data,
        headers={"Authorization": f"Bearer {fake.api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    response_validator("POST /v1/auth/session-token").validate(body)


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"persona_id": str(UUID(int=1))},
        {"persona_id": str(UUID(int=1)), "client_label": "web"},
        {
            "name": "Ada",
            "avatar_id": str(UUID(int=2)),
            "voice_id": str(UUID(int=3)),
            "llm_id": "CUSTOMER_CLIENT_V1",
            "system_prompt": "Hi",
            "avatar_model": "cara-4",
            "max_session_length_seconds": 60,
            "skip_greeting": True,
            "language_code": "de",
            "client_label": "x",
        },
    ],
    ids=["defaults", "persona", "persona+label", "everything"],
)
def test_client_bodies_match_the_spec_and_the_fake(arguments: dict[str, Any]) -> None:
    args = SessionTokenArgs.model_validate(arguments)
    body = args.token_body(None if args.persona_id else args.persona().with_defaults(GPT4O_MINI_LLM_ID)[0])
    session_request_validator().validate(body)
    assert validate_session_body(body) == []


def test_the_spec_check_catches_a_wrong_body() -> None:
    bad = {"personaConfig": {"avatarId": "x", "avatar_model": "cara-3"}}
    assert list(session_request_validator().iter_errors(bad))
    assert validate_session_body({"personaConfig": {"avatarId": None}}) != []


# -- the persona lifecycle ---------------------------------------------------------------------


def send(fake: FakeAnam, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        fake.url + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {fake.api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_fakes_persona_answers_match_the_spec(fake: FakeAnam) -> None:
    created = send(fake, "POST", "/v1/personas", {"name": "Ada", "voiceId": CARA_VOICE_ID, "systemPrompt": "Hi"})
    response_validator("POST /v1/personas").validate(created)
    link = send(fake, "POST", "/v1/share-links", {"personaId": created["id"]})
    response_validator("POST /v1/share-links").validate(link)
    changed = send(fake, "PUT", f"/v1/personas/{created['id']}", {"systemPrompt": "Hello", "skipGreeting": True})
    response_validator("PUT /v1/personas/{id}").validate(changed)
    assert changed["brain"]["systemPrompt"] == "Hello"
    for persona in fake.catalogues["/v1/personas"]:  # seeded ones and the new one, with its share link
        response_validator("GET /v1/personas/{id}").validate(fetch(fake, f"/v1/personas/{persona['id']}"))
    response_validator("DELETE /v1/personas/{id}").validate(send(fake, "DELETE", f"/v1/personas/{created['id']}"))


def test_the_fakes_sessions_and_transcripts_match_the_spec(fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    fake.record_conversation(persona_id, [("persona", "Hello"), ("user", "Hi")])
    for query in ("?page=1&perPage=5", "?page=3&perPage=5", f"?personaId={persona_id}"):
        response_validator("GET /v1/sessions").validate(fetch(fake, "/v1/sessions" + query))
    validator = response_validator("GET /v1/sessions/{id}/transcript")
    for session in fake.catalogues["/v1/sessions"]:
        validator.validate(fetch(fake, f"/v1/sessions/{session['id']}/transcript"))


SAVES = [
    {"name": "Ada"},
    {"name": "Ada", "tool_ids": [str(UUID(int=7)), str(UUID(int=8))]},
    {
        "name": "Ada",
        "description": "Docs tutor",
        "avatar_id": str(UUID(int=2)),
        "voice_id": str(UUID(int=3)),
        "llm_id": "CUSTOMER_CLIENT_V1",
        "system_prompt": "Hi",
        "avatar_model": "cara-4",
        "skip_greeting": True,
        "language_code": "de",
    },
]
UPDATES = [
    {"system_prompt": "Be brief."},
    {"name": "B", "description": "d", "avatar_id": str(UUID(int=2)), "avatar_model": "cara-4", "language_code": "fr"},
    {"voice_id": str(UUID(int=3)), "llm_id": GPT4O_MINI_LLM_ID, "skip_greeting": False},
    {"tool_ids": []},
]


@pytest.mark.parametrize("arguments", SAVES, ids=["defaults", "tools", "everything"])
def test_save_bodies_match_the_spec_and_the_fake(arguments: dict[str, Any]) -> None:
    body = SavedPersona.model_validate(arguments).with_defaults(GPT4O_MINI_LLM_ID)[0].body()
    request_validator("POST /v1/personas").validate(body)
    assert validate_persona_body(body) == []


@pytest.mark.parametrize("arguments", UPDATES, ids=["prompt", "looks", "voice", "no tools"])
def test_update_bodies_match_the_spec_and_the_fake(arguments: dict[str, Any]) -> None:
    body = PersonaUpdate.model_validate({"persona_id": str(UUID(int=1)), **arguments}).body()
    request_validator("PUT /v1/personas/{id}").validate(body)
    assert validate_persona_body(body, update=True) == []
    assert set(body) == {to_camel(name) for name in arguments}


def test_share_link_bodies_match_the_spec_and_the_fake() -> None:
    body = ShareLinkRequest.model_validate({"persona_id": str(UUID(int=1)), "usage_limit": 3}).body()
    request_validator("POST /v1/share-links").validate(body)
    assert validate_share_link_body(body) == []


def test_the_spec_checks_catch_wrong_lifecycle_bodies() -> None:
    assert list(request_validator("POST /v1/personas").iter_errors({"name": "A", "avatar_model": "cara-3"}))
    assert list(request_validator("PUT /v1/personas/{id}").iter_errors({"personaId": str(UUID(int=1))}))
    assert list(request_validator("POST /v1/share-links").iter_errors({"expiresInHours": 5}))
    assert validate_persona_body({"systemPrompt": None}) != []
    assert validate_persona_body({"persona_id": "x"}, update=True) != []
    assert validate_share_link_body({"personaId": "x", "usageLimit": True}) != []


# -- media: avatars from a photo, voices from a clip ---------------------------------------------------


def form_instance(form: Form, schema: dict[str, Any]) -> dict[str, Any]:
    """A multipart form as the JSON its spec schema describes: a file as a string (format binary), a boolean
    field's text as true or false."""
    kinds = {name: spec.get("type") for name, spec in schema["properties"].items()}
    fields = {k: (v == "true") if kinds.get(k) == "boolean" else v for k, v in form.fields.items()}
    return {**fields, **dict.fromkeys(form.files, "<binary>")}


def media_body_problems(request: RecordedRequest) -> list[str]:
    """What the spec and the fake find wrong with a media request body the client sent."""
    operation = f"{request.method} {request.path}"
    fake_check = {
        "/v1/avatars": validate_avatar_body,
        "/v1/voices": validate_voice_body,
        "/v1/voices/presigned-upload": validate_presign_body,
    }[request.path]
    if isinstance(request.body, Form):
        validator = request_validator(f"{operation} multipart")
        instance = form_instance(request.body, SPEC["requests"][f"{operation} multipart"])
    else:
        validator, instance = request_validator(operation), request.body
    return [e.message for e in validator.iter_errors(instance)] + fake_check(request.body)


@pytest.mark.anyio
async def test_media_bodies_the_client_sends_match_the_spec_and_the_fake(fake: FakeAnam, tmp_path: Path) -> None:
    photo, short, long = tmp_path / "me.webp", tmp_path / "short.flac", tmp_path / "long.ogg"
    photo.write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 100)
    short.write_bytes(b"fLaC" + b"\x00" * 1000)
    with long.open("wb") as out:
        out.write(b"OggS" + b"\x01" * (5 * 1024 * 1024))
    async with in_memory(fake) as client:
        await call(
            client, "create_avatar", {"display_name": "Me again", "image_path": str(photo), "avatar_model": "cara-4"}
        )
        await call(client, "clone_voice", {"name": "Me", "audio_path": str(short), "description": "Calm"})
        assert (await call(client, "clone_voice", {"name": "Me", "audio_path": str(long)}))["sent"] == "presigned"
    bodies = [r for r in fake.requests if r.method == "POST"]
    assert [r.path for r in bodies] == ["/v1/avatars", "/v1/voices", "/v1/voices/presigned-upload", "/v1/voices"]
    for request in bodies:
        assert media_body_problems(request) == [], request.path


def test_the_fakes_media_answers_match_the_spec(fake: FakeAnam) -> None:
    avatar = send(fake, "POST", "/v1/avatars", {"displayName": "From a URL", "imageUrl": "https://example.com/me.jpg"})
    response_validator("POST /v1/avatars").validate(avatar)
    response_validator("GET /v1/avatars/{id}").validate(fetch(fake, f"/v1/avatars/{avatar['id']}"))
    ticket = send(
        fake, "POST", "/v1/voices/presigned-upload", {"filename": "a.wav", "contentType": "audio/wav", "fileSize": 12}
    )
    response_validator("POST /v1/voices/presigned-upload").validate(ticket)
    put = urllib.request.Request(ticket["uploadUrl"], data=b"RIFF\x00\x00\x00\x00WAVE", method="PUT")
    put.add_header("Content-Type", "audio/wav")
    with urllib.request.urlopen(put, timeout=10) as response:
        assert response.status == 200
    voice = send(fake, "POST", "/v1/voices", {"name": "Mine", "audioKey": ticket["audioKey"]})
    response_validator("POST /v1/voices").validate(voice)
    response_validator("GET /v1/voices/{id}").validate(fetch(fake, f"/v1/voices/{voice['id']}"))
    response_validator("DELETE /v1/avatars/{id}").validate(send(fake, "DELETE", f"/v1/avatars/{avatar['id']}"))
    response_validator("DELETE /v1/voices/{id}").validate(send(fake, "DELETE", f"/v1/voices/{voice['id']}"))


def test_the_spec_checks_catch_wrong_media_bodies() -> None:
    assert list(request_validator("POST /v1/avatars").iter_errors({"displayName": "Me", "image_url": "https://x"}))
    assert list(request_validator("POST /v1/voices").iter_errors({"name": "Me", "audioKey": "k", "enhance": "yes"}))
    assert list(request_validator("POST /v1/voices/presigned-upload").iter_errors({"filename": "a", "fileSize": 1}))
    assert validate_avatar_body(Form({"displayName": "Me"}, {})) != []  # no image, and too short a name
    assert validate_avatar_body({"displayName": "Someone", "imageUrl": "https://x", "imageFile": "x"}) != []
    assert validate_voice_body(Form({"name": "Me", "enhance": "yes"}, {"audioFile": FormFile("a", "audio/wav", b"")}))
    assert validate_presign_body({"filename": "a", "contentType": "video/mp4", "fileSize": 60 * 1024 * 1024}) != []


# -- meetings, the session history, share links --------------------------------------------------------


def test_the_fakes_meeting_answers_match_the_spec(fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    bodies = [
        {"meetingUrl": "https://meet.google.com/abc-defg-hij", "personaId": persona_id},
        {"meetingUrl": "zoom.us/j/123456789", "personaConfig": {"voiceId": CARA_VOICE_ID}, "joinAt": soon},
    ]
    for body in bodies:
        response_validator("POST /v1/meetings/invites").validate(send(fake, "POST", "/v1/meetings/invites", body))
    listed = fetch(fake, "/v1/meetings/invites?perPage=5")
    response_validator("GET /v1/meetings/invites").validate(listed)
    assert {invite["status"] for invite in listed["data"]} == {"active", "pending"}  # the one due has joined
    for invite in listed["data"]:
        response_validator("GET /v1/meetings/invites/{id}").validate(
            fetch(fake, f"/v1/meetings/invites/{invite['id']}")
        )


def test_the_fakes_meeting_errors_match_the_spec(fake: FakeAnam) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        send(fake, "POST", "/v1/meetings/invites", {"meetingUrl": "https://example.com/call"})
    assert refused.value.code == 400
    response_validator("400 POST /v1/meetings/invites").validate(json.loads(refused.value.read()))
    fake.invite_limits = InviteLimits(per_minute=1)
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    send(fake, "POST", "/v1/meetings/invites", {"meetingUrl": "meet.google.com/abc-defg-hij", "personaId": persona_id})
    with pytest.raises(urllib.error.HTTPError) as limited:
        send(
            fake,
            "POST",
            "/v1/meetings/invites",
            {"meetingUrl": "meet.google.com/abc-defg-hij", "personaId": persona_id},
        )
    assert limited.value.code == 429
    response_validator("429 POST /v1/meetings/invites").validate(json.loads(limited.value.read()))
    assert limited.value.headers["RateLimit-Remaining"] == "0" and limited.value.headers["X-RateLimit-Org-Hour-Limit"]


def test_the_fakes_session_history_and_share_links_match_the_spec(fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    fake.record_conversation(persona_id, [("persona", "Hello"), ("user", "Hi"), ("persona", "Welcome")])
    for session in fake.catalogues["/v1/sessions"]:
        response_validator("GET /v1/sessions/{id}").validate(fetch(fake, f"/v1/sessions/{session['id']}"))
        response_validator("GET /v1/sessions/{id}/analytics").validate(
            fetch(fake, f"/v1/sessions/{session['id']}/analytics")
        )
        response_validator("GET /v1/sessions/{id}/recording").validate(
            fetch(fake, f"/v1/sessions/{session['id']}/recording")
        )
    link = send(fake, "POST", "/v1/share-links", {"personaId": persona_id})
    for query in ("", f"?personaId={persona_id}"):
        response_validator("GET /v1/share-links").validate(fetch(fake, "/v1/share-links" + query))
    response_validator("GET /v1/share-links/{id}").validate(fetch(fake, f"/v1/share-links/{link['id']}"))
    response_validator("DELETE /v1/share-links/{id}").validate(send(fake, "DELETE", f"/v1/share-links/{link['id']}"))


INVITES = [
    {"meeting_url": "https://meet.google.com/abc-defg-hij", "persona_id": str(UUID(int=1))},
    {
        "meeting_url": "company.zoom.us/j/123456789",
        "display_name": "Cara",
        "join_at": "2099-01-01T00:00:00Z",
        "region": "us-east",
        "group_call": False,
        "name": "Ada",
        "avatar_id": str(UUID(int=2)),
        "voice_id": str(UUID(int=3)),
        "llm_id": str(UUID(int=4)),
        "system_prompt": "Hi",
        "avatar_model": "cara-4-latest",
        "max_session_length_seconds": 600,
        "skip_greeting": True,
        "language_code": "de",
    },
]


@pytest.mark.parametrize("arguments", INVITES, ids=["persona", "everything"])
def test_invite_bodies_match_the_spec_and_the_fake(arguments: dict[str, Any]) -> None:
    if "join_at" in arguments:  # a time within the coming week, whenever the test runs
        arguments = arguments | {"join_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()}
    args = MeetingInviteArgs.model_validate(arguments)
    persona = None if args.persona_id else args.persona().with_defaults(GPT4O_MINI_LLM_ID)[0]
    body = args.invite_body(persona)
    meeting_request_validator().validate(body)
    assert validate_invite_body(body) == []


def test_the_spec_checks_catch_wrong_invite_bodies() -> None:
    url = "https://meet.google.com/abc-defg-hij"
    assert list(meeting_request_validator().iter_errors({"meetingUrl": url}))  # neither persona form
    assert list(meeting_request_validator().iter_errors({"meetingUrl": url, "personaConfig": {"avatar_id": "x"}}))
    assert validate_invite_body({"meetingUrl": url, "personaId": str(UUID(int=1)), "personaConfig": {}}) != []
    assert validate_invite_body({"meetingUrl": url, "personaConfig": {"avatarModel": "cara-4"}}) != []
    assert validate_invite_body({"meetingUrl": url, "personaId": str(UUID(int=1)), "joinAt": "2030-01-01T10:00"}) != []


# -- knowledge and persona tools ---------------------------------------------------------------


def upload(fake: FakeAnam, group_id: str, filename: str, data: bytes) -> Any:
    """A multipart upload as the client sends one (anam_mcp.api.multipart), straight to the fake."""
    form = Multipart(files=[FilePart("file", filename, "text/markdown", data=data)])
    body = b"".join(anyio.run(_collected, form))
    request = urllib.request.Request(
        f"{fake.url}/v1/knowledge/groups/{group_id}/documents",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {fake.api_key}", **form.headers()},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


async def _collected(form: Multipart) -> list[bytes]:
    return [chunk async for chunk in form.chunks()]


def test_the_fakes_knowledge_answers_match_the_spec(fake: FakeAnam) -> None:
    fake.document_processing_seconds = 0
    group = send(fake, "POST", "/v1/knowledge/groups", {"name": "FAQ", "description": "Questions"})
    response_validator("POST /v1/knowledge/groups").validate(group)
    document = upload(fake, group["id"], "faq.md", b"Tickets cost ten euros.\r\n\r\nBinary \x00\xff stays.")
    response_validator("POST /v1/knowledge/groups/{id}/documents").validate(document)
    assert document["status"] == "PROCESSING"
    (request,) = fake.requests_to(f"/v1/knowledge/groups/{group['id']}/documents", "POST")
    assert request.body.files["file"].data == b"Tickets cost ten euros.\r\n\r\nBinary \x00\xff stays."
    assert validate_upload(request.body) == []
    request_validator("POST /v1/knowledge/groups/{id}/documents").validate(
        {**request.body.fields, "file": request.body.files["file"].filename}
    )
    response_validator("GET /v1/knowledge/groups").validate(fetch(fake, "/v1/knowledge/groups"))
    response_validator("GET /v1/knowledge/groups/{id}").validate(fetch(fake, f"/v1/knowledge/groups/{group['id']}"))
    listed = fetch(fake, f"/v1/knowledge/groups/{group['id']}/documents")
    response_validator("GET /v1/knowledge/groups/{id}/documents").validate(listed)
    assert listed[0]["status"] == "READY"
    response_validator("GET /v1/knowledge/documents/{id}").validate(
        fetch(fake, f"/v1/knowledge/documents/{document['id']}")
    )
    found = send(fake, "POST", f"/v1/knowledge/groups/{group['id']}/search", {"query": "tickets price", "limit": 2})
    response_validator("POST /v1/knowledge/groups/{id}/search").validate(found)
    assert found[0]["documentId"] == document["id"]


def test_the_fakes_persona_tool_answers_match_the_spec(fake: FakeAnam) -> None:
    body = {"name": "end_call", "description": "End it.", "type": "SYSTEM", "config": {"action": "end_call"}}
    tool = send(fake, "POST", "/v1/tools", body)
    response_validator("POST /v1/tools").validate(tool)
    response_validator("GET /v1/tools").validate(fetch(fake, "/v1/tools?page=1&perPage=10"))
    response_validator("GET /v1/tools/{id}").validate(fetch(fake, f"/v1/tools/{tool['id']}"))
    persona = fake.catalogues["/v1/personas"][0]
    send(fake, "PUT", f"/v1/personas/{persona['id']}", {"toolIds": [tool["id"]]})
    detail = fetch(fake, f"/v1/personas/{persona['id']}")
    response_validator("GET /v1/personas/{id}").validate(detail)
    assert [t["id"] for t in detail["tools"]] == [tool["id"]]
    assert fetch(fake, f"/v1/tools/{tool['id']}")["usageCount"] == 1


TOOL_ARGUMENTS: dict[str, tuple[type[NewPersonaTool | SystemToolArgs], dict[str, Any]]] = {
    "webhook": (
        WebhookToolArgs,
        {"name": "book", "description": "Book.", "url": "https://example.com/h", "headers": {"X-Key": "k"},
         "body_template": "{}"},
    ),
    "knowledge": (KnowledgeToolArgs, {"name": "faq", "description": "FAQ.", "knowledge_base_ids": [str(UUID(int=4))]}),
    "client": (
        ClientToolArgs,
        {"name": "map", "description": "Map.", "parameters": {"type": "object"}, "await_result": True,
         "timeout_seconds": 30},
    ),
    "client, fire and forget": (ClientToolArgs, {"name": "map", "description": "Map."}),
    "system": (SystemToolArgs, {"action": "interrupt"}),
}  # fmt: skip


@pytest.mark.parametrize("kind", TOOL_ARGUMENTS)
def test_persona_tool_bodies_match_the_spec_and_the_fake(kind: str) -> None:
    model, arguments = TOOL_ARGUMENTS[kind]
    body = model.model_validate(arguments).body()
    tool_request_validator().validate(body)
    assert validate_tool_body(body) == []


def test_knowledge_bodies_match_the_spec_and_the_fake() -> None:
    base = NewKnowledgeBase.model_validate({"name": "FAQ", "description": "Questions"})
    body = base.model_dump(by_alias=True, exclude_none=True)
    request_validator("POST /v1/knowledge/groups").validate(body)
    assert validate_group_body(body) == []
    search = {"query": "tickets", "limit": 20}  # as api.knowledge.search sends it
    request_validator("POST /v1/knowledge/groups/{id}/search").validate(search)
    assert validate_search_body(search) == []


def test_the_spec_checks_catch_wrong_knowledge_and_tool_bodies() -> None:
    mixed = {"name": "x", "description": "d", "type": "SYSTEM", "config": {"action": "end_call", "url": "https://x"}}
    assert list(tool_request_validator().iter_errors(mixed))
    assert validate_tool_body({"name": "has space", "description": "d", "type": "CLIENT"}) != []
    assert validate_tool_body({"name": "x", "description": "d", "type": "SERVER_RAG", "config": {}}) != []
    assert validate_group_body({"title": "x"}) != []
    assert validate_search_body({"query": "x", "limit": 21}) != []
    assert validate_upload({"file": "not a form"}) != []
