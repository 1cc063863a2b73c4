"""The media toolset: make your own avatar from a photo and clone a voice from a clip, and delete them.

A file comes from a path (over stdio only, where the server runs on the user's computer) or from a URL,
downloaded with the same guards as any document named by URL. It is checked by content and size before
anything is sent. Cloning a voice asks the user first whether they have the right to; deleting asks too, and
Anam's stock avatars and voices are refused before any request. What is made or deleted shows in
search_avatars and search_voices at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resolve import Elicit, ElicitationResult, Resolve
from mcp.types import CallToolResult

from ...api import media as api
from ...api.catalogue import AVATARS, VOICES, Avatar, Kind, Voice
from ...api.errors import InvalidRequestError, NotFoundError, found
from ...api.transport import AnamClient, ProgressCallback
from ...api.uploads import upload_seconds
from ...downloads import DownloadError, download
from ..asking import DeleteConfirmation, agreed, ask_first, carried_out
from ..context import AppContext, app_of
from ..toolkit import CREATES, DESTRUCTIVE, Hints, guarded, model_tool, result, usable
from ..toolsets import Toolset
from ..views import GALLERY_URI, ui_meta
from .media_arguments import (
    AvatarCreation,
    AvatarRef,
    ClonedVoice,
    CreatedAvatar,
    DeletedAvatar,
    DeletedVoice,
    VoiceCloning,
    VoiceConsent,
    VoiceRef,
)

__all__ = ["TOOLSET"]

_MediaT = TypeVar("_MediaT", Avatar, Voice)

_PHOTO_HINTS: Hints = {
    InvalidRequestError: "Anam could not use the photo: it needs one clearly visible face, and moderation refuses "
    "some (a celebrity's likeness, or a subject whose age cannot be verified). Try another photo.",
}
_CLIP_HINTS: Hints = {
    InvalidRequestError: "Anam could not clone from this clip: use a clear recording of one speaker, without "
    "music or noise, and check language.",
}
_AVATAR_HINTS: Hints = {
    NotFoundError: "No avatar has this avatar_id: search_avatars lists the avatars you made (is_stock false).",
}
_VOICE_HINTS: Hints = {
    NotFoundError: "No voice has this voice_id: search_voices lists the voices you made (is_stock false).",
}


@asynccontextmanager
async def _source(
    app: AppContext, path: str | None, url: str | None, path_arg: str, url_arg: str, max_bytes: int
) -> AsyncIterator[tuple[Path, str]]:
    """The file to send and its name: the user's own file, or the URL downloaded to a temporary file (deleted
    afterwards) with the guards of every download: public https addresses only, redirects checked, a size cap."""
    if path is not None:
        local = app.local_file(path, path_arg, url_arg)
        yield local, local.name
        return
    assert url is not None
    s = app.settings
    try:
        got = await download(
            url,
            max_bytes=max_bytes,
            timeout_seconds=s.tool_timeout_seconds + upload_seconds(max_bytes),
            allowed_private=s.download_allowed_private,
            ca_file=s.download_ca_file,
        )
    except DownloadError as exc:
        raise ToolError(f"{url_arg} could not be used: {exc}.") from exc
    try:
        yield got.path, got.filename
    finally:
        await anyio.Path(got.path).unlink(missing_ok=True)


async def _checked(check: Callable[[Path, str], Awaitable[api.MediaFile]], source: tuple[Path, str]) -> api.MediaFile:
    try:
        return await check(*source)
    except api.UnacceptableMediaError as exc:
        raise ToolError(f"Nothing was sent: {exc}.") from exc


def _uploading(ctx: Context[AppContext], what: str) -> ProgressCallback:
    """Progress notifications for an upload (the body reports them every 5 %)."""

    async def report(done: int, total: int) -> None:
        await ctx.report_progress(done, total, f"Uploading the {what}: {done / api.MB:.1f} of {total / api.MB:.1f} MB")

    return report


async def create_avatar(ctx: Context[AppContext], args: AvatarCreation) -> Annotated[CallToolResult, CreatedAvatar]:
    """Make your own avatar (a face) from one photo of a person: image_path (a file on this computer; stdio
    only) or image_url (public https). JPEG, PNG or WebP up to 4.5 MB. Gives avatar_id for create_session_token
    and save_persona."""
    app = app_of(ctx)
    usable(app)
    account = app.account()
    async with _source(app, args.image_path, args.image_url, "image_path", "image_url", api.MAX_IMAGE_BYTES) as found:
        image = await _checked(api.checked_image, found)
        making = api.create_avatar(
            account.client, args.display_name, image, args.avatar_model, _uploading(ctx, "photo")
        )
        avatar = await guarded(app, making, _PHOTO_HINTS, uploading=image.size)
    account.catalogs.of(AVATARS).invalidate()
    made = CreatedAvatar(
        avatar_id=avatar.id,
        display_name=avatar.display_name or args.display_name,
        image_url=avatar.image_url,
        available_models=avatar.available_models,
    )
    models = f", for {', '.join(made.available_models)}" if made.available_models else ""
    return result(
        made,
        f"Created the avatar {made.display_name!r} (avatar_id {made.avatar_id}){models}. search_avatars lists it; "
        "use it as avatar_id in create_session_token or save_persona.",
    )


async def _ask_consent(ctx: Context[AppContext], args: VoiceCloning) -> Elicit[VoiceConsent] | VoiceConsent:
    """Ask the user, before anything is read or sent, whether they have the right to clone the voice."""
    app = app_of(ctx)
    usable(app)
    if args.audio_path is not None:
        app.local_file(args.audio_path, "audio_path", "audio_url")
    clip = Path(args.audio_path or urlsplit(args.audio_url or "").path).name or "the clip"
    question = (
        f"Clone the voice in {clip} as {args.name!r}? Only with the speaker's permission: do you have the right to "
        "clone this voice?"
    )
    return await ask_first(ctx, VoiceConsent, question)


async def clone_voice(
    ctx: Context[AppContext],
    args: VoiceCloning,
    consent: Annotated[ElicitationResult[VoiceConsent], Resolve(_ask_consent)],
) -> Annotated[CallToolResult, ClonedVoice]:
    """Clone a voice from a recording of one speaker: audio_path (stdio only) or audio_url. WAV, MP3, M4A,
    OGG, WebM or FLAC up to 50 MB. Before calling, ask the user to confirm they have the speaker's permission
    (the user is asked too where the client can ask). Gives voice_id for create_session_token and save_persona."""
    if not agreed(consent):
        raise ToolError(
            "Nothing was sent: the user did not confirm having the right to clone this voice. Do not call again "
            "unless they say they have the speaker's permission."
        )
    app = app_of(ctx)
    account = app.account()
    async with _source(app, args.audio_path, args.audio_url, "audio_path", "audio_url", api.MAX_CLIP_BYTES) as found:
        clip = await _checked(api.checked_clip, found)
        cloning = api.clone_voice(
            account.client,
            clip,
            name=args.name,
            description=args.description,
            language=args.language,
            enhance=args.enhance,
            on_progress=_uploading(ctx, "clip"),
        )
        voice, presigned = await guarded(app, cloning, _CLIP_HINTS, uploading=clip.size)
    account.catalogs.of(VOICES).invalidate()
    made = ClonedVoice(
        voice_id=voice.id, display_name=voice.display_name or args.name, sent="presigned" if presigned else "inline"
    )
    return result(
        made,
        f"Cloned the voice {made.display_name!r} (voice_id {made.voice_id}) from {clip.size / api.MB:.1f} MB of "
        f"{clip.content_type}. search_voices lists it; use it as voice_id in create_session_token or save_persona.",
    )


async def _deletable(
    app: AppContext,
    kind: Kind[_MediaT],
    record_id: UUID,
    fetch: Callable[[AnamClient, UUID], Awaitable[_MediaT]],
    hints: Hints,
) -> _MediaT | None:
    """The avatar or voice to delete (from the cached catalogue when loaded, else read), refused if Anam's stock;
    None if Anam has no such record (already deleted)."""
    account = app.account()
    record = account.catalogs.of(kind).cached(str(record_id))
    if record is None:
        record = await guarded(app, found(fetch, account.client, record_id), hints)
    if record is None:
        return None
    if record.is_stock:
        noun = kind.name.removesuffix("s")
        raise ToolError(
            f"Nothing was deleted: {record.display_name!r} is one of Anam's stock {kind.name}, which cannot be "
            f"deleted; only {kind.name} you made can be (is_stock false in search_{kind.name}). Do not call again "
            f"for this {noun}."
        )
    return record


async def _delete(
    ctx: Context[AppContext],
    answer: ElicitationResult[DeleteConfirmation],
    kind: Kind[_MediaT],
    record_id: UUID,
    delete: Callable[[AnamClient, UUID], Awaitable[bool]],
    hints: Hints,
) -> tuple[bool, str]:
    """Delete the record if the user agreed; whether it was, and a summary saying so."""
    app = app_of(ctx)
    account = app.account()

    async def deleting() -> bool:
        deleted = await guarded(app, delete(account.client, record_id), hints)
        account.catalogs.of(kind).invalidate()
        return deleted

    listing = f"search_{kind.name} lists the {kind.name} you made"
    deleted, summary = await carried_out(answer, deleting, f"{kind.name.removesuffix('s')} {record_id}", listing)
    return deleted, f"{summary} search_{kind.name} no longer lists it." if deleted else summary


async def _confirm_avatar_deletion(
    ctx: Context[AppContext], args: AvatarRef
) -> Elicit[DeleteConfirmation] | DeleteConfirmation:
    avatar = await _deletable(app_of(ctx), AVATARS, args.avatar_id, api.get_avatar, _AVATAR_HINTS)
    question = None
    if avatar is not None:
        question = f"Delete your Anam avatar {avatar.display_name!r} ({avatar.id})? Personas using it lose their face."
    return await ask_first(ctx, DeleteConfirmation, question)


async def _confirm_voice_deletion(
    ctx: Context[AppContext], args: VoiceRef
) -> Elicit[DeleteConfirmation] | DeleteConfirmation:
    voice = await _deletable(app_of(ctx), VOICES, args.voice_id, api.get_voice, _VOICE_HINTS)
    question = None
    if voice is not None:
        question = f"Delete your cloned Anam voice {voice.display_name!r} ({voice.id})? This cannot be undone."
    return await ask_first(ctx, DeleteConfirmation, question)


async def delete_avatar(
    ctx: Context[AppContext],
    args: AvatarRef,
    answer: Annotated[ElicitationResult[DeleteConfirmation], Resolve(_confirm_avatar_deletion)],
) -> Annotated[CallToolResult, DeletedAvatar]:
    """Delete an avatar you made (Anam's stock ones cannot be). The user is asked first where the client can
    ask; if they decline, deleted is false: do not call again unless they ask."""
    deleted, summary = await _delete(ctx, answer, AVATARS, args.avatar_id, api.delete_avatar, _AVATAR_HINTS)
    return result(DeletedAvatar(avatar_id=str(args.avatar_id), deleted=deleted), summary)


async def delete_voice(
    ctx: Context[AppContext],
    args: VoiceRef,
    answer: Annotated[ElicitationResult[DeleteConfirmation], Resolve(_confirm_voice_deletion)],
) -> Annotated[CallToolResult, DeletedVoice]:
    """Delete a voice you cloned (Anam's stock ones cannot be). The user is asked first where the client can
    ask; if they decline, deleted is false: do not call again unless they ask."""
    deleted, summary = await _delete(ctx, answer, VOICES, args.voice_id, api.delete_voice, _VOICE_HINTS)
    return result(DeletedVoice(voice_id=str(args.voice_id), deleted=deleted), summary)


TOOLSET = Toolset(
    "media",
    "Make your own avatars and voices, and delete them.",
    "create_avatar makes an avatar from a photo and clone_voice a voice from a clip (with the speaker's "
    "permission); delete_avatar and delete_voice remove ones you made.",
    lambda: [
        model_tool(create_avatar, "Create an Anam avatar from a photo", CREATES, meta=ui_meta(GALLERY_URI)),
        model_tool(clone_voice, "Clone a voice for Anam", CREATES),
        model_tool(delete_avatar, "Delete an Anam avatar you made", DESTRUCTIVE),
        model_tool(delete_voice, "Delete an Anam voice you cloned", DESTRUCTIVE),
    ],
)
