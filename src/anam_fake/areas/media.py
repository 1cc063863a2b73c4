"""Media: one-shot avatars made from a photo, voices cloned from a clip, and deleting the ones an account made.

An avatar comes from a multipart `imageFile` or a JSON `imageUrl`; a voice from a multipart `audioFile`, or
from a JSON `audioKey` after the presigned flow: POST /v1/voices/presigned-upload answers with an upload URL
on this fake (as Anam's points at its storage), which takes the PUT of the bytes, streamed, like S3: the
URL's signature is the credential, and a request that also sends an Authorization header is refused. What is
made joins the catalogue lists at once; a stock avatar or voice cannot be deleted.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from ..formats import is_uuid, now_iso
from ..forms import Form, FormFile
from ..ids import AVATAR_MODELS
from ..routes import Answer, Call, Routes, error
from ..validation import FieldTypes, field_problems
from ..wire import drain, send

if TYPE_CHECKING:
    from ..account import Account
    from ..server import FakeAnam

AVATARS = "/v1/avatars"
VOICES = "/v1/voices"
# Where the presigned upload URLs point (on this fake).
UPLOADS = "/uploads/"

_MB = 1024 * 1024
MAX_IMAGE_BYTES = 9 * _MB // 2
MAX_CLIP_BYTES = 50 * _MB  # the spec's "50MB (52428800)"
_CHUNK = 256 * 1024

AVATAR_KEYS: FieldTypes = {"displayName": str, "imageUrl": str, "avatarModel": str}
VOICE_KEYS: FieldTypes = {"name": str, "audioKey": str, "description": str, "language": str, "enhance": bool}
PRESIGN_KEYS: FieldTypes = {"filename": str, "contentType": str, "fileSize": int}
# What files of the accepted types start with, as Anam's processing would find out.
_Magic = tuple[tuple[int, bytes], ...]
_IMAGE_MAGIC: _Magic = ((0, b"\xff\xd8\xff"), (0, b"\x89PNG\r\n\x1a\n"), (8, b"WEBP"))
_AUDIO_MAGIC: _Magic = (
    (8, b"WAVE"),
    (0, b"ID3"),
    (0, b"\xff\xfb"),
    (0, b"\xff\xf3"),
    (4, b"ftyp"),
    (0, b"OggS"),
    (0, b"\x1a\x45\xdf\xa3"),
    (0, b"fLaC"),
)

routes = Routes()


def _starts_like(head: bytes, magic: _Magic) -> bool:
    return any(head[at : at + len(sign)] == sign for at, sign in magic)


def _form_problems(form: Form, fields: set[str], files: set[str], required: set[str]) -> list[str]:
    problems = [f"unknown field {name}" for name in [*form.fields, *form.files] if name not in fields | files]
    problems += [f"{name} must be a file" for name in form.fields if name in files]
    problems += [f"{name} must be text" for name in form.files if name in fields]
    problems += [f"{name} is required" for name in sorted(required) if name not in form.fields | form.files]
    return problems


def validate_avatar_body(body: Any) -> list[str]:
    """What the API would reject in a POST /v1/avatars body: a multipart form, or JSON with imageUrl."""
    if isinstance(body, Form):
        problems = _form_problems(body, set(AVATAR_KEYS), {"imageFile"}, {"displayName"})
        sources = {"imageFile", "imageUrl"} & (body.fields.keys() | body.files.keys())
        name = body.fields.get("displayName")
        model = body.fields.get("avatarModel")
    elif isinstance(body, dict):
        problems = field_problems(body, AVATAR_KEYS)
        problems += [f"{key} is required" for key in ("displayName", "imageUrl") if key not in body]
        sources = {"imageUrl"} & body.keys()
        name, model = body.get("displayName"), body.get("avatarModel")
    else:
        return ["body must be a multipart form or a JSON object"]
    if len(sources) != 1:
        problems.append("provide exactly one of imageFile and imageUrl")
    if isinstance(name, str) and not 3 <= len(name) <= 50:
        problems.append("displayName must be 3-50 characters")
    if model is not None and model not in AVATAR_MODELS:
        problems.append(f"avatarModel must be one of {', '.join(AVATAR_MODELS)}")
    return problems


def validate_voice_body(body: Any) -> list[str]:
    """What the API would reject in a POST /v1/voices body: a multipart form with audioFile, or JSON with audioKey."""
    if isinstance(body, Form):
        text_fields = set(VOICE_KEYS) - {"audioKey"}
        problems = _form_problems(body, text_fields, {"audioFile"}, {"name", "audioFile"})
        enhance = body.fields.get("enhance")
        if enhance is not None and enhance not in ("true", "false"):
            problems.append("enhance must be true or false")
        name = body.fields.get("name")
    elif isinstance(body, dict):
        problems = field_problems(body, VOICE_KEYS)
        problems += [f"{key} is required" for key in ("name", "audioKey") if key not in body]
        name = body.get("name")
    else:
        return ["body must be a multipart form or a JSON object"]
    if name == "":
        problems.append("name must not be empty")
    return problems


def validate_presign_body(body: Any) -> list[str]:
    """What the API would reject in a POST /v1/voices/presigned-upload body."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = field_problems(body, PRESIGN_KEYS)
    problems += [f"{key} is required" for key in PRESIGN_KEYS if key not in body]
    if isinstance(body.get("contentType"), str) and not body["contentType"].startswith("audio/"):
        problems.append("contentType must start with audio/")
    size = body.get("fileSize")
    if isinstance(size, int) and not isinstance(size, bool) and not 0 < size <= MAX_CLIP_BYTES:
        problems.append(f"fileSize must be from 1 to {MAX_CLIP_BYTES}")
    return problems


def _organisation(account: Account, path: str) -> str:
    """The id of the organisation the account's own entries belong to."""
    mine = (item["createdByOrganizationId"] for item in account.catalogues[path] if item["createdByOrganizationId"])
    return next(mine, "org_fake")


@routes.post(AVATARS)
def create_avatar(account: Account, call: Call) -> Answer:
    body = call.body
    problems = validate_avatar_body(body)
    if problems:
        return 400, error("Bad request", "; ".join(problems)), {}
    given = body.fields if isinstance(body, Form) else body
    image: FormFile | None = body.files.get("imageFile") if isinstance(body, Form) else None
    if image is not None and len(image.data) > MAX_IMAGE_BYTES:
        return 400, error("Bad request", "imageFile is larger than 4.5MB"), {}
    if image is not None and not _starts_like(image.data[:16], _IMAGE_MAGIC):
        return 422, error("Unprocessable Entity", "Image could not be processed: use a JPEG, PNG or WebP"), {}
    model = given.get("avatarModel", "cara-3")
    if model == "cara-4-latest" and not account.entitled_to_latest:
        return 403, error("Forbidden", "avatarModel cara-4-latest requires organization-level access"), {}
    avatar_id = str(uuid.uuid4())
    now = now_iso()
    avatar = {
        "id": avatar_id,
        "displayName": given["displayName"],
        "variantName": "",
        # The fake draws every avatar's picture itself (served with serve_media).
        "imageUrl": f"{call.origin}/media/avatars/{avatar_id}.svg",
        "landscapeImageUrl": None,
        "portraitImageUrl": None,
        "videoUrl": None,
        "idleVideoUrl": None,
        "createdAt": now,
        "updatedAt": now,
        "createdByOrganizationId": _organisation(account, AVATARS),
        "availableVersions": [model],
        "activeVersion": model,
        "description": None,
        "displayTags": [],
        "renderStyle": "unknown",
    }
    with account.lock:
        account.catalogues[AVATARS].append(avatar)
    return 201, avatar, {}


@routes.post(VOICES + "/presigned-upload")
def presign_voice_upload(account: Account, call: Call) -> Answer:
    """An upload URL on this fake for one clip, and the key that names it in POST /v1/voices afterwards."""
    problems = validate_presign_body(call.body)
    if problems:
        return 400, error("Bad request", "; ".join(problems)), {}
    key = f"vc_{uuid.uuid4().hex}"
    signature = secrets.token_hex(16)
    with account.lock:
        account.uploads[key] = {**call.body, "signature": signature, "received": None}
    url = f"{call.origin}{UPLOADS}{key}?X-Amz-Expires=3600&X-Amz-Signature={signature}"
    return 200, {"uploadUrl": url, "audioKey": key}, {}


@routes.post(VOICES)
def clone_voice(account: Account, call: Call) -> Answer:
    body = call.body
    problems = validate_voice_body(body)
    if problems:
        return 400, error("Bad request", "; ".join(problems)), {}
    if isinstance(body, Form):
        given: dict[str, Any] = body.fields
        head = body.files["audioFile"].data[:16]
    else:
        given = body
        upload = account.uploads.get(body["audioKey"])
        if upload is None or upload["received"] is None:
            return 400, error("Bad request", "audioKey names no uploaded clip"), {}
        head = upload["received"]["head"]
    if not _starts_like(head, _AUDIO_MAGIC):
        return 400, error("Bad request", "Audio could not be processed"), {}
    now = now_iso()
    voice = {
        "id": str(uuid.uuid4()),
        "displayName": given["name"],
        "provider": "ELEVENLABS",
        "providerVoiceId": f"pv_{uuid.uuid4().hex[:20]}",
        "providerModelId": "eleven_multilingual_v2",
        "sampleUrl": None,
        "previewSampleUrl": None,
        "gender": None,
        "country": None,
        "description": given.get("description"),
        "displayTags": [],
        "isZdr": False,
        "createdByOrganizationId": _organisation(account, VOICES),
        "createdAt": now,
        "updatedAt": now,
    }
    with account.lock:
        account.catalogues[VOICES].append(voice)
    return 201, voice, {}


@routes.delete(r"/v1/(avatars|voices)/([^/]+)")
def delete_entry(account: Account, call: Call) -> Answer:
    kind, wanted = call.params
    noun = "Avatar" if kind == "avatars" else "Voice"
    if not is_uuid(wanted):
        return 400, error("Bad request", f"Invalid {noun.lower()} ID"), {}
    items = account.catalogues[f"/v1/{kind}"]
    found = next((item for item in items if item["id"] == wanted), None)
    if found is None:
        return 404, error("Not found", f"{noun} not found"), {}
    if found["createdByOrganizationId"] is None:
        return 403, error("Forbidden", f"Stock {kind} cannot be deleted"), {}
    with account.lock:
        items.remove(found)
    return 200, {"message": f"{noun} deleted successfully"}, {}


def receive_upload(
    handler: BaseHTTPRequestHandler, fake: FakeAnam, path: str, query: dict[str, str], length: int
) -> None:
    """Take the PUT of a clip to a presigned URL the way S3 does: streamed, and kept only as its size, digest
    and first bytes (in the account's `uploads`), so even 50 MB never sits in memory."""
    key = path.removeprefix(UPLOADS)
    owner = next((a for a in (fake, *fake.accounts.values()) if key in a.uploads), None)
    upload = owner.uploads[key] if owner is not None else None
    refusal: tuple[int, str, str] | None = None
    if upload is None:
        refusal = (404, "NoSuchUpload", "The specified upload does not exist.")
    elif handler.headers.get("Authorization"):
        refusal = (400, "InvalidArgument", "Only one auth mechanism allowed; the signature is in the query string.")
    elif query.get("X-Amz-Signature") != upload["signature"]:
        refusal = (403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    elif handler.headers.get("Content-Type") != upload["contentType"]:
        refusal = (403, "SignatureDoesNotMatch", "Content-Type differs from the one the URL was signed for.")
    elif length > MAX_CLIP_BYTES:
        refusal = (400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
    if refusal is not None:
        drain(handler, length)
        status, code, message = refusal
        xml = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        send(handler, status, xml.encode(), "application/xml", {})
        return
    assert upload is not None
    digest, size, head = hashlib.sha256(), 0, b""
    while size < length:
        chunk = handler.rfile.read(min(_CHUNK, length - size))
        if not chunk:
            break
        digest.update(chunk)
        head = head if len(head) >= 16 else (head + chunk)[:16]
        size += len(chunk)
    upload["received"] = {"size": size, "sha256": digest.hexdigest(), "head": head}
    send(handler, 200, b"", "text/plain", {"ETag": f'"{digest.hexdigest()[:32]}"'})
