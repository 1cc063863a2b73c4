"""The media area: avatars made from one photo, voices cloned from a clip, and deleting the ones you made.

What Anam accepts is known here, so a file is checked before anything is sent: its type by its first bytes
(never its name, nor what a web server called it) and its size. A clip small enough goes inline as multipart;
a larger one goes through Anam's presigned flow: ask for an upload URL, PUT the bytes there (streamed from
disk, without the API key: the URL is its own credential), then create the voice from the uploaded key.
Avatars and voices live at the catalogue's paths (catalogue.py), which lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import anyio
from pydantic import Field

from .catalogue import AVATARS_PATH, VOICES_PATH, Avatar, Voice
from .decoding import parse_one
from .errors import StatusError, UnreadableResponseError, UploadRejectedError
from .multipart import FileBody, FilePart, Multipart
from .records import AnamModel
from .transport import AnamClient, ProgressCallback

__all__ = [
    "MAX_CLIP_BYTES",
    "MAX_IMAGE_BYTES",
    "MAX_INLINE_BYTES",
    "MB",
    "MediaFile",
    "UnacceptableMediaError",
    "audio_type",
    "checked_clip",
    "checked_image",
    "clone_voice",
    "create_avatar",
    "delete_avatar",
    "delete_voice",
    "get_avatar",
    "get_voice",
    "image_type",
]

MB = 1024 * 1024
# Anam's limits. Its 50 MB is 52,428,800 bytes, so its megabytes are these.
MAX_IMAGE_BYTES = 9 * MB // 2  # a photo for an avatar
MAX_INLINE_BYTES = 9 * MB // 2  # a whole multipart request to POST /v1/voices; larger clips go presigned
MAX_CLIP_BYTES = 50 * MB  # a clip through the presigned flow

# What each accepted format's file starts with: (offset, bytes) pairs that must all match.
_Signature = tuple[tuple[int, bytes], ...]
_IMAGE_TYPES: dict[str, _Signature] = {
    "image/jpeg": ((0, b"\xff\xd8\xff"),),
    "image/png": ((0, b"\x89PNG\r\n\x1a\n"),),
    "image/webp": ((0, b"RIFF"), (8, b"WEBP")),
}
_AUDIO_TYPES: dict[str, _Signature] = {
    "audio/wav": ((0, b"RIFF"), (8, b"WAVE")),
    "audio/mpeg": ((0, b"ID3"),),
    "audio/ogg": ((0, b"OggS"),),
    "audio/webm": ((0, b"\x1a\x45\xdf\xa3"),),
    "audio/flac": ((0, b"fLaC"),),
}
# An MPEG-4 file names its brand after "ftyp": these are audio (M4A) or plain MP4 that may hold only audio;
# others (HEIC photos, QuickTime video) are not clips.
_M4A_BRANDS = frozenset({b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"dash"})
_HEAD_BYTES = 16
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "audio/webm": "webm",
    "audio/flac": "flac",
}


class UnacceptableMediaError(ValueError):
    """A file Anam would not accept (its type or size), found before anything was sent; the message says why."""


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file on disk checked to be what Anam accepts: `size` bytes of `content_type`, sent as `filename`."""

    path: Path
    filename: str
    content_type: str
    size: int


class _UploadTicket(AnamModel):
    """Where to PUT a clip, and the key that names it afterwards (POST /v1/voices/presigned-upload)."""

    upload_url: str = Field(min_length=1)
    audio_key: str = Field(min_length=1)


def _sniffed(head: bytes, types: dict[str, _Signature]) -> str | None:
    """The content type whose signature `head` starts with, or None."""
    for content_type, signature in types.items():
        if all(head[at : at + len(magic)] == magic for at, magic in signature):
            return content_type
    return None


def image_type(head: bytes) -> str | None:
    """The type of an image Anam accepts that starts with `head`, or None."""
    return _sniffed(head, _IMAGE_TYPES)


def audio_type(head: bytes) -> str | None:
    """The type of a clip Anam accepts that starts with `head`, or None. An MP3 without an ID3 tag starts with
    a frame header instead: 11 sync bits set, and a layer that is not the reserved one."""
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "audio/mpeg"
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return "audio/mp4"
    return _sniffed(head, _AUDIO_TYPES)


async def _checked(
    path: Path, filename: str, what: str, limit: int, sniff: Callable[[bytes], str | None], accepted: str
) -> MediaFile:
    size = (await anyio.Path(path).stat()).st_size
    if size > limit:
        raise UnacceptableMediaError(f"the {what} is {size / MB:.1f} MB: the most Anam accepts is {limit / MB:g} MB")
    if size == 0:
        raise UnacceptableMediaError(f"the {what} is empty")
    async with await anyio.open_file(path, "rb") as opened:
        head = await opened.read(_HEAD_BYTES)
    content_type = sniff(head)
    if content_type is None:
        raise UnacceptableMediaError(f"the {what} is not {accepted} (judged by its content, not its name)")
    return MediaFile(path, _named(filename, content_type), content_type, size)


def _named(filename: str, content_type: str) -> str:
    """`filename` with the extension its content calls for (a server sees the name, and some judge by it)."""
    stem = Path(filename).stem or "upload"
    return f"{stem}.{_EXTENSIONS[content_type]}"


async def checked_image(path: Path, filename: str) -> MediaFile:
    """The photo at `path` if Anam accepts it (JPEG, PNG or WebP, at most 4.5 MB); UnacceptableMediaError if not."""
    return await _checked(path, filename, "image", MAX_IMAGE_BYTES, image_type, "JPEG, PNG or WebP")


async def checked_clip(path: Path, filename: str) -> MediaFile:
    """The clip at `path` if Anam accepts it (WAV, MP3, M4A, OGG, WebM or FLAC, at most 50 MB);
    UnacceptableMediaError if not."""
    return await _checked(path, filename, "audio clip", MAX_CLIP_BYTES, audio_type, "WAV, MP3, M4A, OGG, WebM or FLAC")


async def get_avatar(client: AnamClient, avatar_id: UUID) -> Avatar:
    raw = await client.request("GET", f"{AVATARS_PATH}/{avatar_id}", idempotent=True)
    return parse_one(Avatar, raw, "the avatar")


async def get_voice(client: AnamClient, voice_id: UUID) -> Voice:
    raw = await client.request("GET", f"{VOICES_PATH}/{voice_id}", idempotent=True)
    return parse_one(Voice, raw, "the voice")


async def create_avatar(
    client: AnamClient,
    display_name: str,
    image: MediaFile,
    avatar_model: str | None,
    on_progress: ProgressCallback | None = None,
) -> Avatar:
    """POST /v1/avatars, multipart: a one-shot avatar from `image`. Not retried once it may have reached Anam."""
    fields = {"displayName": display_name} | ({"avatarModel": avatar_model} if avatar_model else {})
    photo = FilePart("imageFile", image.filename, image.content_type, path=image.path)
    upload = Multipart(fields=fields, files=[photo], on_progress=on_progress)
    raw = await client.request("POST", AVATARS_PATH, upload=upload, idempotent=False)
    return parse_one(Avatar, raw, "the new avatar")


async def clone_voice(
    client: AnamClient,
    clip: MediaFile,
    *,
    name: str,
    description: str | None,
    language: str,
    enhance: bool,
    on_progress: ProgressCallback | None = None,
) -> tuple[Voice, bool]:
    """POST /v1/voices: a voice cloned from `clip`, inline or through the presigned flow by its size. Returns
    the voice and whether the presigned flow carried it."""
    described = {"description": description} if description else {}
    fields = {"name": name, **described, "language": language, "enhance": "true" if enhance else "false"}
    inline = Multipart(
        fields=fields,
        files=[FilePart("audioFile", clip.filename, clip.content_type, path=clip.path)],
        on_progress=on_progress,
    )
    if int(inline.headers()["Content-Length"]) <= MAX_INLINE_BYTES:
        raw = await client.request("POST", VOICES_PATH, upload=inline, idempotent=False)
        return parse_one(Voice, raw, "the new voice"), False
    key = await _upload(client, clip, on_progress)
    body: dict[str, Any] = {"name": name, "audioKey": key, **described, "language": language, "enhance": enhance}
    raw = await client.request("POST", VOICES_PATH, json_body=body, idempotent=False)
    return parse_one(Voice, raw, "the new voice"), True


async def _upload(client: AnamClient, clip: MediaFile, on_progress: ProgressCallback | None) -> str:
    """The presigned flow's first two steps: an upload URL for `clip`, then its bytes PUT there. Returns the key."""
    ask = {"filename": clip.filename, "contentType": clip.content_type, "fileSize": clip.size}
    # Asking again only makes another URL: safe to retry.
    raw = await client.request("POST", f"{VOICES_PATH}/presigned-upload", json_body=ask, idempotent=True)
    ticket = parse_one(_UploadTicket, raw, "the upload URL")
    body = FileBody(clip.path, clip.content_type, on_progress)
    try:
        await client.request(
            "PUT", _storage_url(client, ticket.upload_url), upload=body, idempotent=True, send_key=False
        )
    except StatusError as exc:
        raise UploadRejectedError(exc.status) from exc
    return ticket.audio_key


def _storage_url(client: AnamClient, url: str) -> str:
    """`url` if a clip may be sent there: https, or the API's own origin when that is on this machine (a fake)."""
    parts, api = urlsplit(url), urlsplit(client.settings.base_url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if client.settings.api_is_local and (parts.scheme, parts.netloc) == (api.scheme, api.netloc):
        return url
    raise UnreadableResponseError("the upload URL is not an https:// URL")


async def delete_avatar(client: AnamClient, avatar_id: UUID) -> bool:
    """False when Anam has no such avatar (already deleted)."""
    return await client.delete(f"{AVATARS_PATH}/{avatar_id}")


async def delete_voice(client: AnamClient, voice_id: UUID) -> bool:
    """False when Anam has no such voice (already deleted)."""
    return await client.delete(f"{VOICES_PATH}/{voice_id}")
