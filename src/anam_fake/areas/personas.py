"""Personas: listed, saved, read in full, changed and deleted; `toolIds` set the persona tools a persona has.

The list holds summaries (`account.catalogues["/v1/personas"]`); what the full record adds to a summary is
kept in `account.persona_details`, filled with stock values the first time a persona is read.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from ..formats import is_uuid, now_iso
from ..ids import AVATAR_MODELS, GPT4O_MINI_LLM_ID
from ..pages import listing
from ..routes import Answer, Call, Routes, error
from ..validation import FieldTypes, field_problems
from .persona_tools import shown, tools_of

if TYPE_CHECKING:
    from ..account import Account

PERSONAS = "/v1/personas"

# The body fields POST /v1/personas documents; PUT /v1/personas/{id} takes the same plus widgetConfig.
PERSONA_KEYS: FieldTypes = {
    "name": str,
    "description": str,
    "avatarId": str,
    "avatarModel": str,
    "voiceId": str,
    "llmId": str,
    "systemPrompt": str,
    "skipGreeting": bool,
    "uninterruptibleGreeting": bool,
    "initialMessage": str,
    "zeroDataRetention": bool,
    "voiceDetectionOptions": dict,
    "languageCode": str,
    "voiceGenerationOptions": dict,
    "toolIds": list,
}

routes = Routes()


def validate_persona_body(body: Any, *, update: bool = False) -> list[str]:
    """What the API would reject in a POST /v1/personas body, or a PUT /v1/personas/{id} one with `update`."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    keys = {**PERSONA_KEYS, "widgetConfig": dict} if update else PERSONA_KEYS
    problems = field_problems(body, keys, nullable=frozenset({"initialMessage"}))
    if "avatarModel" in body and body["avatarModel"] not in AVATAR_MODELS:
        problems.append(f"avatarModel must be one of {', '.join(AVATAR_MODELS)}")
    problems += [
        f"{key} must be a UUID"
        for key in ("avatarId", "voiceId")
        if isinstance(body.get(key), str) and not is_uuid(body[key])
    ]
    if isinstance(body.get("toolIds"), list) and not all(is_uuid(tool_id) for tool_id in body["toolIds"]):
        problems.append("toolIds must be UUIDs")
    return problems


@routes.get(PERSONAS)
def list_personas(account: Account, call: Call) -> Answer:
    return listing(account, call, account.catalogues[PERSONAS], search_key="name")


@routes.post(PERSONAS)
def save_persona(account: Account, call: Call) -> Answer:
    problems = validate_persona_body(call.body)
    if problems:
        return 400, error("Invalid persona data", "; ".join(problems)), {}
    now = now_iso()
    summary: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "name": "",
        "description": "",
        "personaPreset": "",
        "avatar": None,
        "voice": None,
        "voiceSpeed": None,
        "isDefaultPersona": False,
        "languageCode": "inherit",
        "createdAt": now,
        "updatedAt": now,
    }
    failed = _apply(account, summary, call.body)
    if failed is not None:
        account.persona_details.pop(summary["id"], None)
        return failed
    with account.lock:
        account.catalogues[PERSONAS].append(summary)
    return 201, _detail(account, summary), {}


# A persona id with a slash in it is still read here (and refused as no UUID), as Anam does.
@routes.get(PERSONAS + "/(.+)")
def get_persona(account: Account, call: Call) -> Answer:
    summary = _summary(account, call.params[0])
    return summary if isinstance(summary, tuple) else (200, _detail(account, summary), {})


@routes.put(PERSONAS + "/([^/]+)")
def update_persona(account: Account, call: Call) -> Answer:
    summary = _summary(account, call.params[0])
    if isinstance(summary, tuple):
        return summary
    problems = validate_persona_body(call.body, update=True)
    if problems:
        return 400, error("Invalid persona data", "; ".join(problems)), {}
    return _apply(account, summary, call.body) or (200, _detail(account, summary), {})


@routes.delete(PERSONAS + "/([^/]+)")
def delete_persona(account: Account, call: Call) -> Answer:
    summary = _summary(account, call.params[0])
    if isinstance(summary, tuple):
        return summary
    with account.lock:
        account.catalogues[PERSONAS].remove(summary)
        account.persona_details.pop(summary["id"], None)
    return 200, {"message": "Persona deleted"}, {}


def find_persona(account: Account, persona_id: str) -> dict[str, Any] | None:
    """The list entry of the persona with this id, if the account has it."""
    return next((p for p in account.catalogues[PERSONAS] if p["id"] == persona_id), None)


def persona_extras(account: Account, summary: dict[str, Any]) -> dict[str, Any]:
    """What the full record adds to a list entry (stock values for a persona not read before)."""
    return account.persona_details.setdefault(
        summary["id"],
        {
            "avatarModel": "cara-3",
            "llmId": GPT4O_MINI_LLM_ID,
            "brain": {"personality": None, "systemPrompt": "You are a helpful assistant."},
            "tools": [],
            "knowledge": [],
            "shareLinks": None,
            "primaryShareLink": None,
            "enableAudioPassthrough": False,
            "skipGreeting": False,
            "zeroDataRetention": False,
            "voiceDetectionOptions": None,
            "voiceGenerationOptions": None,
            "widgetConfig": {},
        },
    )


def _summary(account: Account, wanted: str) -> dict[str, Any] | Answer:
    """The list entry `wanted` names, or the error answer: 400 for an id that is no UUID, 404 if absent."""
    if not is_uuid(wanted):
        return 400, error("Bad request", "Invalid ID"), {}
    summary = find_persona(account, wanted)
    if summary is None:
        return 404, error("Not found", "Persona not found"), {}
    return summary


def _detail(account: Account, summary: dict[str, Any]) -> dict[str, Any]:
    """The full persona record (GET /v1/personas/{id}) behind a list entry, with the tools its toolIds name."""
    extras = {key: value for key, value in persona_extras(account, summary).items() if key != "_toolIds"}
    ids = persona_extras(account, summary).get("_toolIds", [])
    tools = [shown(account, tool) for tool_id in ids for tool in tools_of(account) if tool["id"] == tool_id]
    return {**summary, **extras, "tools": tools}


def _apply(account: Account, summary: dict[str, Any], body: dict[str, Any]) -> Answer | None:
    """Check the references in a persona body and write its fields; an error answer if one is unknown."""
    avatars = {a["id"]: a for a in account.catalogues["/v1/avatars"]}
    voices = {v["id"]: v for v in account.catalogues["/v1/voices"]}
    llms = {m["id"] for m in account.catalogues["/v1/llms"]}
    if "avatarId" in body and body["avatarId"] not in avatars:
        return 400, error("Bad request", f"Avatar {body['avatarId']} not found"), {}
    if "voiceId" in body and body["voiceId"] not in voices:
        return 400, error("Bad request", f"Voice {body['voiceId']} not found"), {}
    if is_uuid(body.get("llmId")) and body["llmId"] not in llms:
        return 400, error("Bad request", f"LLM {body['llmId']} not found"), {}
    tools = {tool["id"] for tool in tools_of(account)}
    unknown = [tool_id for tool_id in body.get("toolIds", []) if tool_id not in tools]
    if unknown:
        return 404, error("Not found", f"Tool {unknown[0]} not found"), {}
    extras = persona_extras(account, summary)
    avatar = avatars.get(body.get("avatarId") or (summary.get("avatar") or {}).get("id", ""))
    model = body.get("avatarModel", extras["avatarModel"])
    if avatar is not None and model not in avatar["availableVersions"]:
        if "avatarModel" in body:
            return 400, error("Bad request", f"avatarModel {model} is not supported by this avatar"), {}
        body = {**body, "avatarModel": avatar["availableVersions"][0]}  # a new avatar resets the model
    for key, value in body.items():
        if key == "avatarId":
            summary["avatar"] = avatars[value]
        elif key == "voiceId":
            summary["voice"] = voices[value]
        elif key in ("name", "description", "languageCode"):
            summary[key] = value
        elif key == "systemPrompt":
            extras["brain"] = {**extras["brain"], "systemPrompt": value}
        elif key == "toolIds":
            extras["_toolIds"] = list(dict.fromkeys(value))  # replaces the list, as Anam does
        else:
            extras[key] = value
    summary["updatedAt"] = now_iso()
    return None
