"""Share links: a public link to talk to a persona, the first one becoming the persona's primary link; listed,
read and deleted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..formats import is_uuid, iso
from ..pages import listing
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


def _listed(account: Account, link: dict[str, Any]) -> dict[str, Any]:
    """A link as the list and GET show it: with its persona's name and the organisation."""
    persona = find_persona(account, link["personaId"])
    return {**link, "personaName": persona["name"] if persona else "", "organizationId": "org_fake"}


@routes.get("/v1/share-links")
def list_share_links(account: Account, call: Call) -> Answer:
    """Every link made, or one persona's with personaId."""
    persona_id = call.query.get("personaId")
    with account.lock:
        links = [_listed(account, link) for link in account.share_links]
    if persona_id is not None:
        links = [link for link in links if link["personaId"] == persona_id]
    problem = "personaId must be a UUID" if persona_id is not None and not is_uuid(persona_id) else ""
    return listing(account, call, links, search_key="personaName", problem=problem)


def _find(account: Account, wanted: str) -> dict[str, Any] | Answer:
    if not is_uuid(wanted):
        return 400, error("Bad request", "Invalid share link ID"), {}
    found = next((link for link in account.share_links if link["id"] == wanted), None)
    return found if found is not None else (404, error("Not found", "Share link not found"), {})


@routes.get("/v1/share-links/([^/]+)")
def get_share_link(account: Account, call: Call) -> Answer:
    with account.lock:
        found = _find(account, call.params[0])
        return found if isinstance(found, tuple) else (200, _listed(account, found), {})


@routes.delete("/v1/share-links/([^/]+)")
def delete_share_link(account: Account, call: Call) -> Answer:
    """Gone from the list and from its persona's record (and no longer its primary link)."""
    with account.lock:
        found = _find(account, call.params[0])
        if isinstance(found, tuple):
            return found
        account.share_links.remove(found)
        extras = account.persona_details.get(found["personaId"])
        if extras is not None:
            extras["shareLinks"] = [link for link in extras["shareLinks"] or [] if link["id"] != found["id"]]
            primary = extras["primaryShareLink"]
            if primary and primary["token"] == found["token"]:
                extras["primaryShareLink"] = None
    return 200, {"message": "Share link deleted successfully"}, {}
