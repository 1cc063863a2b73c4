"""Share links: a public link to talk to a persona, the first one becoming the persona's primary link."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..formats import is_uuid, iso
from ..routes import Answer, Call, Routes, error
from ..validation import FieldTypes, field_problems, not_positive
from .personas import find_persona, persona_extras

if TYPE_CHECKING:
    from ..account import Account

SHARE_LINK_KEYS: FieldTypes = {
    "personaId": str,
    "expiresInHours": (int, float),
    "usageLimit": (int, float),
}

routes = Routes()


def validate_share_link_body(body: Any) -> list[str]:
    """What the API would reject in a POST /v1/share-links body."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = field_problems(body, SHARE_LINK_KEYS)
    if not is_uuid(body.get("personaId")):
        problems.append("personaId is required and must be a UUID")
    problems += [f"{key} must be positive" for key in ("expiresInHours", "usageLimit") if not_positive(body.get(key))]
    return problems


@routes.post("/v1/share-links")
def create_share_link(account: Account, call: Call) -> Answer:
    """A link (kept in `account.share_links` too) that expires after a week and ten uses unless told otherwise."""
    body = call.body
    problems = validate_share_link_body(body)
    if problems:
        return 400, error("Invalid share link data", "; ".join(problems)), {}
    summary = find_persona(account, body["personaId"])
    if summary is None:
        return 404, error("Not found", "Persona not found"), {}
    extras = persona_extras(account, summary)
    now = datetime.now(UTC)
    link: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "token": "sh_" + uuid.uuid4().hex[:22],
        "type": "LINK",
        "expiresAt": iso(now + timedelta(hours=body.get("expiresInHours", 168))),
        "usageLimit": int(body.get("usageLimit", 10)),
        "usageCount": 0,
        "allowedOrigins": [],
        "allowAllOrigins": False,
        "removeWatermark": False,
        "enabled": True,
        "isPrimary": not extras["shareLinks"],
        "createdAt": iso(now),
    }
    with account.lock:
        account.share_links.append({**link, "personaId": summary["id"]})
        extras["shareLinks"] = [*(extras["shareLinks"] or []), link]
        if link["isPrimary"]:
            extras["primaryShareLink"] = {"token": link["token"], "enabled": True}
    return 201, link, {}
