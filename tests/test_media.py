"""Your own avatars and voices: made from a photo or a clip (a file over stdio, a URL anywhere), checked by content
and size before anything is sent, sent inline or through the presigned flow (streamed, memory flat), found by
search at once, cloned only with the user's word, and deleted only when they are yours and the user agrees.

Behaviour through the SDK's client with the server in memory; the process bits over real stdio and HTTP. Photos
and clips named by URL come from a local https server (tls_server.py) that settings admit for the test.
"""

from __future__ import annotations

import hashlib
import tempfile
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.session import ElicitationFnT
from mcp.types import ElicitRequestParams

from anam_fake import CARA_AVATAR_ID, CARA_VOICE_ID, FakeAnam, Fault, Form
from anam_fake.media import tone_wav
from anam_mcp.server import build_server

from .helpers import answering, call, make_settings, text
from .http_server import http_env, http_server, mcp_client
from .tls_server import Document, TlsServer, tls_server

pytestmark = [pytest.mark.anyio, pytest.mark.weight(6)]

MB = 1024 * 1024
# A real 1x1 PNG and the start of a JPEG: the server judges a file by its first bytes.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 2000 + b"\xff\xd9"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 500


def wav_file(path: Path, size: int) -> str:
    """A WAV of `size` bytes at `path` (a real header, then varied bytes); returns its sha256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        head = tone_wav()[:44]
        out.write(head)
        digest.update(head)
        left, block = size - len(head), 0
        while left > 0:
            data = (hashlib.sha256(str(block).encode()).digest() * (1 << 15))[:left]
            out.write(data)
            digest.update(data)
            left -= len(data)
            block += 1
    return digest.hexdigest()


@dataclass(frozen=True)
class Clip:
    path: Path
    sha256: str
    size: int


@pytest.fixture(scope="module")
def big_clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    path = tmp_path_factory.mktemp("clips") / "speech.wav"
    return Clip(path, wav_file(path, 20 * MB), 20 * MB)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TlsServer]:
    """Where the user's photos and clips are on the web: https, on this machine, admitted by the settings."""
    folder = tmp_path / "web"
    folder.mkdir()
    documents = {
        # Served as text: the server goes by the content, not by what a web server calls it.
        "/me/portrait": Document(JPEG, "text/plain"),
        "/me/hello.mp3": Document(MP3, "audio/mpeg"),
        "/me/huge.png": Document(PNG + b"\x00" * (6 * MB), "image/png"),
        "/me/notes.png": Document(b"Shopping list: milk, eggs.\n", "image/png"),
    }
    with tls_server(folder, documents) as running:
        yield running


@asynccontextmanager
async def media_client(
    fake: FakeAnam, web: TlsServer, elicitation_callback: ElicitationFnT | None = None
) -> AsyncIterator[Client]:
    settings = make_settings(fake, download_allowed_private=[web.host], download_ca_file=web.ca_file)
    async with Client(build_server(settings, local_files=True), elicitation_callback=elicitation_callback) as client:
        yield client


def leftovers() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("anam-mcp-download-*"))


def anam_requests(fake: FakeAnam) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.requests]


# -- avatars from a photo --------------------------------------------------------------------------


async def test_an_avatar_from_a_photo_file_is_found_by_search_at_once(
    fake: FakeAnam, web: TlsServer, tmp_path: Path
) -> None:
    photo = tmp_path / "Ada at the desk.png"
    photo.write_bytes(PNG)
    async with media_client(fake, web) as client:
        assert (await call(client, "search_avatars", {"query": "ada lovelace"}))["total"] == 0  # cached now
        made = await call(client, "create_avatar", {"display_name": "Ada Lovelace", "image_path": str(photo)})
        found = await call(client, "search_avatars", {"query": "ada lovelace"})
    assert set(made) == {"avatar_id", "display_name", "image_url", "available_models"}
    assert made["display_name"] == "Ada Lovelace" and made["available_models"] == ["cara-3"]
    assert [(item["id"], item["is_stock"]) for item in found["items"]] == [(made["avatar_id"], False)]
    (sent,) = fake.requests_to("/v1/avatars", "POST")
    assert isinstance(sent.body, Form)
    assert sent.body.fields == {"displayName": "Ada Lovelace"}
    image = sent.body.files["imageFile"]
    assert (image.filename, image.content_type, image.data) == ("Ada at the desk.png", "image/png", PNG)


async def test_an_avatar_from_a_url_is_found_by_search_at_once(fake: FakeAnam, web: TlsServer) -> None:
    before = leftovers()
    async with media_client(fake, web) as client:
        arguments = {"display_name": "Grace", "image_url": f"{web.origin}/me/portrait?sig=1", "avatar_model": "cara-4"}
        made = await call(client, "create_avatar", arguments)
        found = await call(client, "search_avatars", {"query": "grace", "stock_only": False})
    assert made["available_models"] == ["cara-4"]
    assert [item["id"] for item in found["items"]] == [made["avatar_id"]]
    (sent,) = fake.requests_to("/v1/avatars", "POST")
    assert isinstance(sent.body, Form)
    assert sent.body.fields == {"displayName": "Grace", "avatarModel": "cara-4"}
    image = sent.body.files["imageFile"]
    # Named and typed by its content (the web server called it text/plain, with no extension).
    assert (image.filename, image.content_type, image.data) == ("portrait.jpg", "image/jpeg", JPEG)
    assert leftovers() == before  # the downloaded copy is gone


@pytest.mark.parametrize("source", ["path", "url"])
async def test_an_image_over_4_5_mb_is_refused_with_nothing_sent(
    fake: FakeAnam, web: TlsServer, tmp_path: Path, source: str
) -> None:
    photo = tmp_path / "huge.png"
    photo.write_bytes(PNG + b"\x00" * (6 * MB))
    where = {"image_path": str(photo)} if source == "path" else {"image_url": f"{web.origin}/me/huge.png"}
    async with media_client(fake, web) as client:
        refused = await client.call_tool("create_avatar", {"display_name": "Too big", **where})
    assert refused.is_error
    assert "4.5 MB" in text(refused), text(refused)
    assert fake.requests == []


@pytest.mark.parametrize("source", ["path", "url"])
async def test_a_png_that_is_really_text_is_refused_with_nothing_sent(
    fake: FakeAnam, web: TlsServer, tmp_path: Path, source: str
) -> None:
    notes = tmp_path / "notes.png"
    notes.write_bytes(b"Shopping list: milk, eggs.\n")
    where = {"image_path": str(notes)} if source == "path" else {"image_url": f"{web.origin}/me/notes.png"}
    async with media_client(fake, web) as client:
        refused = await client.call_tool("create_avatar", {"display_name": "Not a photo", **where})
    assert refused.is_error
    assert "not JPEG, PNG or WebP (judged by its content, not its name)" in text(refused)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"display_name": "Al", "image_url": "https://example.com/a.png"}, "display_name must be at least 3"),
        ({"display_name": "A" * 51, "image_url": "https://example.com/a.png"}, "at most 50 characters"),
        ({"display_name": "Ada"}, "give exactly one of image_path and image_url"),
        ({"display_name": "Ada", "image_path": "/a.png", "image_url": "https://x/a.png"}, "exactly one of"),
        ({"display_name": "Ada", "image_path": "photos/me.png"}, "image_path must be an absolute path"),
        ({"display_name": "Ada", "image_path": "/nonexistent/me.png"}, "there is no file at /nonexistent/me.png"),
        ({"display_name": "Ada", "image_url": "http://example.com/me.png"}, "not an https:// URL"),
        ({"display_name": "Ada", "image_url": "https://10.0.0.8/me.png"}, "private or local address"),
        ({"display_name": "Ada", "image_url": "https://a/b", "avatar_model": "cara-9"}, "avatar_model must be one of"),
    ],
)
async def test_bad_avatar_arguments_are_refused_before_anything_is_sent(
    fake: FakeAnam, web: TlsServer, arguments: dict[str, Any], says: str
) -> None:
    async with media_client(fake, web) as client:
        refused = await client.call_tool("create_avatar", arguments)
    assert refused.is_error and says in text(refused), text(refused)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("clone_voice", {"audio_url": "https://example.com/a.wav"}, "name is required"),
        ("clone_voice", {"name": "", "audio_url": "https://example.com/a.wav"}, "name must not be empty"),
        ("clone_voice", {"name": "Me"}, "give exactly one of audio_path and audio_url"),
        ("clone_voice", {"name": "Me", "audio_url": "https://x/a", "language": "english"}, "two-letter ISO 639-1"),
        ("clone_voice", {"name": "Me", "audio_url": "https://x/a", "enhance": "maybe"}, "enhance must be true or"),
        ("clone_voice", {"name": "Me", "audio_path": "me.wav"}, "audio_path must be an absolute path"),
        ("delete_avatar", {"avatar_id": "Cara"}, "avatar_id must be a UUID (get one from search_avatars)"),
        ("delete_voice", {"voice_id": "../v1/voices"}, "voice_id must be a UUID (get one from search_voices)"),
        ("delete_voice", {"voice_id": CARA_VOICE_ID, "hard": True}, "unknown argument hard"),
    ],
)
async def test_bad_voice_and_delete_arguments_are_refused_before_anything_is_sent(
    fake: FakeAnam, web: TlsServer, tool: str, arguments: dict[str, Any], says: str
) -> None:
    async with media_client(fake, web, answering("accept", True, [])) as client:
        refused = await client.call_tool(tool, arguments)
    assert refused.is_error and says in text(refused), text(refused)
    assert fake.requests == []


# -- voices from a clip ---------------------------------------------------------------------------


async def test_a_3_mb_clip_is_sent_inline_and_found_by_search_at_once(
    fake: FakeAnam, web: TlsServer, tmp_path: Path
) -> None:
    clip = tmp_path / "me.wav"
    digest = wav_file(clip, 3 * MB)
    arguments = {"name": "My own voice", "audio_path": str(clip), "description": "Me, reading", "enhance": False}
    async with media_client(fake, web) as client:
        assert (await call(client, "search_voices", {"query": "my own voice"}))["total"] == 0  # cached now
        made = await call(client, "clone_voice", arguments)
        found = await call(client, "search_voices", {"query": "my own voice"})
    assert made["sent"] == "inline" and made["display_name"] == "My own voice"
    assert [item["id"] for item in found["items"]] == [made["voice_id"]]
    assert found["items"][0]["is_stock"] is False
    (sent,) = fake.requests_to("/v1/voices", "POST")
    assert isinstance(sent.body, Form)
    wanted = {"name": "My own voice", "description": "Me, reading", "language": "en", "enhance": "false"}
    assert sent.body.fields == wanted
    audio = sent.body.files["audioFile"]
    assert (audio.filename, audio.content_type) == ("me.wav", "audio/wav")
    assert hashlib.sha256(audio.data).hexdigest() == digest
    assert fake.requests_to("/v1/voices/presigned-upload") == []


async def test_a_20_mb_clip_goes_through_the_presigned_flow_streamed_with_flat_memory(
    fake: FakeAnam, web: TlsServer, tmp_path: Path, big_clip: Clip
) -> None:
    small = tmp_path / "warm-up.wav"
    wav_file(small, 6 * MB)
    async with media_client(fake, web) as client:
        # A first presigned upload, so that what is built once per process is not counted below.
        assert (await call(client, "clone_voice", {"name": "Warm-up", "audio_path": str(small)}))["sent"] == "presigned"
        fake.clear()
        tracemalloc.start()
        try:
            made = await call(client, "clone_voice", {"name": "Long reading", "audio_path": str(big_clip.path)})
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        found = await call(client, "search_voices", {"query": "long reading"})
    # The server, the client and the fake all run in this process: none of them held the 20 MB.
    assert peak < 4 * MB, f"cloning from 20 MB peaked at {peak / MB:.1f} MB"
    assert made["sent"] == "presigned"
    assert [item["id"] for item in found["items"]] == [made["voice_id"]]
    assert [method for method, _ in anam_requests(fake)][:3] == ["POST", "PUT", "POST"]
    (ask,) = fake.requests_to("/v1/voices/presigned-upload", "POST")
    assert ask.body == {"filename": "speech.wav", "contentType": "audio/wav", "fileSize": big_clip.size}
    (create,) = fake.requests_to("/v1/voices", "POST")
    key = create.body["audioKey"]
    (put,) = fake.requests_to(f"/uploads/{key}", "PUT")
    # The URL is its own credential: the API key goes to Anam's API only.
    assert "Authorization" not in put.headers and fake.api_key not in str(put.headers)
    assert put.headers["Content-Type"] == "audio/wav" and put.headers["Content-Length"] == str(big_clip.size)
    received = fake.uploads[key]["received"]
    assert (received["size"], received["sha256"]) == (big_clip.size, big_clip.sha256)
    assert create.body == {"name": "Long reading", "audioKey": key, "language": "en", "enhance": True}


async def test_an_upload_url_that_is_not_https_gets_nothing(fake: FakeAnam, web: TlsServer, tmp_path: Path) -> None:
    clip = tmp_path / "long.wav"
    wav_file(clip, 5 * MB)
    ticket = {"uploadUrl": "http://storage.example.com/clip?X-Amz-Signature=x", "audioKey": "k"}
    fake.script("/v1/voices/presigned-upload", Fault("status", 200, body=ticket))
    async with media_client(fake, web) as client:
        refused = await client.call_tool("clone_voice", {"name": "Long", "audio_path": str(clip)})
    assert refused.is_error and "the upload URL is not an https:// URL" in text(refused)
    assert anam_requests(fake) == [("POST", "/v1/voices/presigned-upload")]


async def test_a_clip_from_a_url_is_cloned(fake: FakeAnam, web: TlsServer) -> None:
    async with media_client(fake, web) as client:
        made = await call(client, "clone_voice", {"name": "Hello", "audio_url": f"{web.origin}/me/hello.mp3"})
    assert made["sent"] == "inline"
    (sent,) = fake.requests_to("/v1/voices", "POST")
    assert isinstance(sent.body, Form)
    audio = sent.body.files["audioFile"]
    assert (audio.filename, audio.content_type, audio.data) == ("hello.mp3", "audio/mpeg", MP3)


async def test_a_clip_over_50_mb_or_not_audio_is_refused_with_nothing_sent(
    fake: FakeAnam, web: TlsServer, tmp_path: Path
) -> None:
    huge = tmp_path / "huge.wav"
    with huge.open("wb") as out:
        out.write(tone_wav()[:44])
        out.truncate(51 * MB)  # sparse: takes no disk
    photo = tmp_path / "me.wav"
    photo.write_bytes(PNG)
    async with media_client(fake, web) as client:
        too_big = await client.call_tool("clone_voice", {"name": "Huge", "audio_path": str(huge)})
        not_audio = await client.call_tool("clone_voice", {"name": "Photo", "audio_path": str(photo)})
    assert too_big.is_error and "51.0 MB: the most Anam accepts is 50 MB" in text(too_big)
    assert not_audio.is_error and "not WAV, MP3, M4A, OGG, WebM or FLAC" in text(not_audio)
    assert fake.requests == []


@pytest.mark.parametrize(("action", "confirm"), [("accept", False), ("decline", None), ("cancel", None)])
async def test_consent_not_given_sends_nothing(
    fake: FakeAnam, web: TlsServer, action: str, confirm: bool | None
) -> None:
    asked: list[ElicitRequestParams] = []
    async with media_client(fake, web, answering(action, confirm, asked)) as client:
        refused = await client.call_tool("clone_voice", {"name": "Her", "audio_url": f"{web.origin}/me/hello.mp3"})
    assert refused.is_error and "Nothing was sent" in text(refused)
    assert len(asked) == 1
    assert fake.requests == [] and web.requests == []  # not even downloaded


async def test_consent_is_asked_naming_the_voice_and_given_it_clones(
    fake: FakeAnam, web: TlsServer, tmp_path: Path
) -> None:
    clip = tmp_path / "grandad.wav"
    wav_file(clip, 200_000)
    asked: list[ElicitRequestParams] = []
    async with media_client(fake, web, answering("accept", True, asked)) as client:
        made = await call(client, "clone_voice", {"name": "Grandad", "audio_path": str(clip)})
    (question,) = asked
    assert "'Grandad'" in question.message and "right to clone this voice" in question.message
    assert question.requested_schema["properties"]["confirm"]["type"] == "boolean"  # type: ignore[union-attr]
    assert [item["id"] for item in fake.catalogues["/v1/voices"][-1:]] == [made["voice_id"]]


async def test_clone_voice_tells_the_model_to_get_consent(client: Client) -> None:
    tool = next(t for t in (await client.list_tools()).tools if t.name == "clone_voice")
    assert "ask the user to confirm they have the speaker's permission" in (tool.description or "")


# -- deleting your own -----------------------------------------------------------------------------

KINDS = {
    "avatar": ("delete_avatar", "avatar_id", "/v1/avatars", "search_avatars", CARA_AVATAR_ID),
    "voice": ("delete_voice", "voice_id", "/v1/voices", "search_voices", CARA_VOICE_ID),
}


def own(fake: FakeAnam, path: str) -> dict[str, Any]:
    """One of the account's own avatars or voices (not stock)."""
    return next(item for item in fake.catalogues[path] if item["createdByOrganizationId"])


@pytest.mark.parametrize("kind", KINDS)
async def test_deleting_your_own_asks_by_name_then_deletes_and_search_forgets_it(
    fake: FakeAnam, web: TlsServer, kind: str
) -> None:
    tool, argument, path, search, _ = KINDS[kind]
    mine = own(fake, path)
    asked: list[ElicitRequestParams] = []
    async with media_client(fake, web, answering("accept", True, asked)) as client:
        await call(client, search, {"limit": 1})  # the catalogue is cached
        deleted = await call(client, tool, {argument: mine["id"]})
        found = await call(client, search, {"query": mine["displayName"], "limit": 100})
    assert deleted == {argument: mine["id"], "deleted": True}
    (question,) = asked
    assert mine["displayName"] in question.message and mine["id"] in question.message
    assert len(fake.requests_to(f"{path}/{mine['id']}", "DELETE")) == 1
    assert mine["id"] not in {item["id"] for item in found["items"]}


@pytest.mark.parametrize("kind", KINDS)
async def test_a_declined_delete_deletes_nothing(fake: FakeAnam, web: TlsServer, kind: str) -> None:
    tool, argument, path, _, _ = KINDS[kind]
    mine = own(fake, path)
    async with media_client(fake, web, answering("decline", None, [])) as client:
        result = await client.call_tool(tool, {argument: mine["id"]})
    assert not result.is_error and result.structured_content == {argument: mine["id"], "deleted": False}
    assert "Nothing was deleted" in text(result)
    assert fake.requests_to(f"{path}/{mine['id']}", "DELETE") == []
    assert mine in fake.catalogues[path]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_stock_one_is_refused_before_any_request_saying_why(fake: FakeAnam, web: TlsServer, kind: str) -> None:
    tool, argument, path, search, stock = KINDS[kind]
    asked: list[ElicitRequestParams] = []
    async with media_client(fake, web, answering("accept", True, asked)) as client:
        cold = await client.call_tool(tool, {argument: stock})
        assert anam_requests(fake) == [("GET", f"{path}/{stock}")]  # read to know what it is; never deleted
        await call(client, search, {"limit": 1})
        fake.clear()
        warm = await client.call_tool(tool, {argument: stock})
    for refused in (cold, warm):
        assert refused.is_error
        assert f"one of Anam's stock {kind}s, which cannot be deleted" in text(refused), text(refused)
    assert fake.requests == []  # known from the cached catalogue: nothing asked of Anam at all
    assert asked == []


@pytest.mark.parametrize("kind", KINDS)
async def test_an_unknown_id_is_already_deleted_and_says_where_to_get_one_without_asking(
    fake: FakeAnam, web: TlsServer, kind: str
) -> None:
    tool, argument, _, search, _ = KINDS[kind]
    asked: list[ElicitRequestParams] = []
    async with media_client(fake, web, answering("accept", True, asked)) as client:
        result = await client.call_tool(tool, {argument: "11111111-2222-4333-8444-555555555555"})
    assert not result.is_error and search in text(result) and "already deleted" in text(result)
    assert asked == []
    assert [method for method, _ in anam_requests(fake)] == ["GET"]


# -- over stdio and over HTTP ------------------------------------------------------------------------


async def test_over_stdio_a_photo_on_this_computer_makes_an_avatar(
    stdio_client: Client, fake: FakeAnam, tmp_path: Path
) -> None:
    photo = tmp_path / "me.png"
    photo.write_bytes(PNG)
    made = await call(stdio_client, "create_avatar", {"display_name": "Me at home", "image_path": str(photo)})
    assert made["avatar_id"] in {a["id"] for a in fake.catalogues["/v1/avatars"]}


async def test_over_http_a_path_is_refused_pointing_at_the_url_argument_which_works(
    fake: FakeAnam, web: TlsServer, tmp_path: Path
) -> None:
    photo = tmp_path / "me.png"
    photo.write_bytes(PNG)
    env = http_env(fake, ANAM_DOWNLOAD_ALLOWED_PRIVATE=web.host, ANAM_DOWNLOAD_CA_FILE=str(web.ca_file))
    with http_server(env) as server:
        async with mcp_client(server.mcp, fake.api_key) as client:
            by_path = {"display_name": "Me at home", "image_path": str(photo)}
            photo_path = await client.call_tool("create_avatar", by_path)
            clip_path = await client.call_tool("clone_voice", {"name": "Me", "audio_path": str(photo)})
            assert fake.requests == []
            by_url = {"display_name": "Me at home", "image_url": f"{web.origin}/me/portrait"}
            made = await call(client, "create_avatar", by_url)
            cloned = await call(client, "clone_voice", {"name": "Me", "audio_url": f"{web.origin}/me/hello.mp3"})
            deleted = await call(client, "delete_avatar", {"avatar_id": made["avatar_id"]})
    assert photo_path.is_error and "Pass image_url instead" in text(photo_path)
    assert clip_path.is_error and "Pass audio_url instead" in text(clip_path)
    assert cloned["sent"] == "inline"
    assert deleted["deleted"] is True


async def test_a_path_under_an_unknown_users_home_is_refused_in_words(client: Client, fake: FakeAnam) -> None:
    result = await client.call_tool("create_avatar", {"display_name": "Ada", "image_path": "~no-such-user-42/me.png"})
    assert result.is_error and "names a home folder this machine does not have" in text(result), text(result)
    assert fake.requests == []
