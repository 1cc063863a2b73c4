"""Sessions: the token that starts one, and the sessions people had, listed and read back as transcripts, with
their per-turn latency (once a session has ended) and a link to their recording."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..data.latency import make_analytics
from ..formats import is_uuid
from ..ids import AVATAR_MODELS
from ..pages import entry, listing
from ..routes import Answer, Call, Routes, error
from ..validation import FieldTypes, field_problems, not_positive

if TYPE_CHECKING:
    from ..account import Account

SESSIONS = "/v1/sessions"

# The personaConfig keys the session-token endpoint documents (ephemeral variant).
EPHEMERAL_KEYS: FieldTypes = {
    "name": str,
    "avatarId": str,
    "avatarModel": str,
    "voiceId": str,
    "llmId": str,
    "systemPrompt": str,
    "maxSessionLengthSeconds": (int, float),
    "skipGreeting": bool,
    "uninterruptibleGreeting": bool,
    "initialMessage": str,
    "languageCode": str,
    "toolIds": list,
    "voiceDetectionOptions": dict,
    "voiceGenerationOptions": dict,
}

routes = Routes()


def validate_session_body(body: Any) -> list[str]:
    """What the API would reject in a session-token body (an empty list when it is fine)."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = [f"unknown field {k}" for k in body if k not in {"personaConfig", "clientLabel", "sessionOptions"}]
    if "clientLabel" in body and not isinstance(body["clientLabel"], str):
        problems.append("clientLabel must be a string")
    config = body.get("personaConfig")
    if not isinstance(config, dict):
        return [*problems, "personaConfig must be an object"]
    if "personaId" in config:
        if set(config) != {"personaId"}:
            problems.append("personaConfig: personaId cannot be combined with other fields")
        if not isinstance(config["personaId"], str):
            problems.append("personaConfig.personaId must be a string")
        return problems
    problems += field_problems(config, EPHEMERAL_KEYS, within="personaConfig")
    if "avatarModel" in config and config["avatarModel"] not in AVATAR_MODELS:
        problems.append(f"personaConfig.avatarModel must be one of {', '.join(AVATAR_MODELS)}")
    if not_positive(config.get("maxSessionLengthSeconds")):
        problems.append("personaConfig.maxSessionLengthSeconds must be positive")
    for key in ("avatarId", "voiceId"):
        if isinstance(config.get(key), str) and not is_uuid(config[key]):
            problems.append(f"personaConfig.{key} must be a UUID")
    if "voiceId" not in config:
        problems.append("personaConfig.voiceId is required for an ephemeral persona")
    return problems


@routes.post("/v1/auth/session-token")
def create_session_token(account: Account, call: Call) -> Answer:
    """A session token (a JWT carrying a fresh session id) for a saved persona or an ephemeral one."""
    problems = validate_session_body(call.body)
    if problems:
        return 400, error("Invalid request body", "; ".join(problems)), {}
    config = call.body["personaConfig"]
    if "personaId" in config:
        if config["personaId"] not in {p["id"] for p in account.catalogues["/v1/personas"]}:
            return 404, error("Not found", "Persona not found"), {}
    else:
        if config.get("avatarModel") == "cara-4-latest" and not account.entitled_to_latest:
            return 403, error("Forbidden", "Organization is not entitled to avatar model cara-4-latest"), {}
        for key, kind in (("avatarId", "/v1/avatars"), ("voiceId", "/v1/voices")):
            if key in config and config[key] not in {i["id"] for i in account.catalogues[kind]}:
                return 404, error("Not found", f"{key} {config[key]} not found"), {}
    with account.lock:
        account.tokens_issued += 1
        serial = account.tokens_issued
    return 200, {"sessionToken": _jwt({"sessionId": str(uuid.UUID(int=serial)), "n": serial})}, {}


@routes.get(SESSIONS)
def list_sessions(account: Account, call: Call) -> Answer:
    """Sessions, newest first; only one persona's with personaId."""
    items = account.catalogues[SESSIONS]
    persona_id = call.query.get("personaId")
    if persona_id is not None:
        items = [s for s in items if s.get("personaId") == persona_id]
    problem = "personaId must be a UUID" if persona_id is not None and not is_uuid(persona_id) else ""
    return listing(account, call, items, problem=problem)


@routes.get(SESSIONS + "/([^/]+)/transcript")
def get_transcript(account: Account, call: Call) -> Answer:
    (wanted,) = call.params
    if not is_uuid(wanted):
        return 400, error("Bad request", "Invalid session ID"), {}
    if wanted not in account.transcripts:
        return 404, error("Not found", "Session not found or no transcript available"), {}
    return 200, account.transcripts[wanted], {}


def _ended_session(account: Account, wanted: str, what: str) -> dict[str, Any] | Answer:
    """The session `wanted` names if it has ended; else the answer Anam gives for `what` (404 until it ends)."""
    if not is_uuid(wanted):
        return 400, error("Bad request", "Invalid session ID"), {}
    session = next((s for s in account.catalogues[SESSIONS] if s["id"] == wanted), None)
    if session is None:
        return 404, error("Not found", "Session not found"), {}
    if session["endTime"] is None:
        return 404, error("Not found", f"Session is still in progress: no {what} yet"), {}
    return session


@routes.get(SESSIONS + "/([^/]+)/analytics")
def get_analytics(account: Account, call: Call) -> Answer:
    """Per-turn latency, made up from the transcript (one turn per persona message), once the session has ended."""
    session = _ended_session(account, call.params[0], "analytics")
    if isinstance(session, tuple):
        return session
    return 200, make_analytics(session, account.transcripts.get(session["id"], {}).get("messages", [])), {}


@routes.get(SESSIONS + "/([^/]+)/recording")
def get_recording(account: Account, call: Call) -> Answer:
    """A link signed the way S3 signs one, valid for an hour from now."""
    session = _ended_session(account, call.params[0], "recording")
    if isinstance(session, tuple):
        return session
    signed = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    url = f"https://cdn.anam.ai/recordings/{session['id']}.mp4?X-Amz-Date={signed}&X-Amz-Expires=3600&X-Amz-Signature=fake"
    return 200, {"recordingUrl": url}, {}


@routes.get(SESSIONS + "/(.+)")
def get_session(account: Account, call: Call) -> Answer:
    return entry(account.catalogues[SESSIONS], call.params[0])


def _jwt(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.fake-signature"
