"""Meeting invites: a persona sent into a Google Meet, Zoom or Teams call. An invite is made `pending` and turns
`active` (in the call) once its time has come and it is read again; cancelling makes it `cancelled`. Creating
invites is rate limited per requester per minute and per organisation per hour, with Anam's headers on every
answer to a create.
"""

from __future__ import annotations

import math
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..formats import is_uuid, iso
from ..pages import listing
from ..routes import Answer, Call, Routes
from ..validation import FieldTypes, field_problems, not_positive
from .personas import find_persona

if TYPE_CHECKING:
    from ..account import Account

INVITES = "/v1/meetings/invites"

INVITE_KEYS: FieldTypes = {
    "meetingUrl": str,
    "displayName": str,
    "region": str,
    "regionPolicy": str,
    "joinAt": str,
    "groupCall": bool,
    "personaId": str,
    "personaConfig": dict,
    "sessionOptions": dict,
    "clientLabel": str,
}
# The runtime persona configuration an invite documents (it allows more; these are the ones checked).
MEETING_PERSONA_KEYS: FieldTypes = {
    "name": str,
    "personaPreset": str,
    "avatarId": str,
    "avatarModel": str,
    "voiceId": str,
    "voiceSpeed": (int, float),
    "llmId": str,
    "systemPrompt": str,
    "personality": str,
    "maxSessionLengthSeconds": (int, float),
    "languageCode": str,
    "metadata": dict,
    "skipGreeting": bool,
    "uninterruptibleGreeting": bool,
    "initialMessage": str,
    "zeroDataRetention": bool,
    "tools": list,
    "toolIds": list,
    "voiceDetectionOptions": dict,
    "voiceGenerationOptions": dict,
}
MEETING_MODELS = ("cara-2", "cara-3", "cara-4-latest")
REGIONS = ("eu", "us-east", "us-west")
_PROVIDERS = {
    "google_meet": r"meet\.google\.com",
    "zoom": r"(?:[a-z0-9-]+\.)*zoom\.us",
    "microsoft_teams": r"teams\.microsoft\.com|teams\.live\.com",
}
_AI_SUFFIX = " (AI)"

routes = Routes()


@dataclass
class InviteLimits:
    """How many invites may be made: per requester per minute, and per organisation per hour (Anam's 10 and 30).

    Tests lower them to reach the limit quickly. `made` holds when each accepted invite was made."""

    per_minute: int = 10
    per_hour: int = 30
    made: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> tuple[bool, dict[str, str]]:
        """Whether one more invite may be made now (and it is counted if so), and the rate-limit headers."""
        with self.lock:
            now = time.monotonic()
            self.made = [t for t in self.made if now - t < 3600]
            minute = [t for t in self.made if now - t < 60]
            allowed = len(minute) < self.per_minute and len(self.made) < self.per_hour
            if allowed:
                self.made.append(now)
                minute.append(now)
            left_minute, left_hour = self.per_minute - len(minute), self.per_hour - len(self.made)
            return allowed, {
                "RateLimit-Limit": str(self.per_minute),
                "RateLimit-Remaining": str(max(0, min(left_minute, left_hour))),
                "RateLimit-Reset": str(math.ceil(60 - (now - minute[0])) if minute else 60),
                "X-RateLimit-Org-Hour-Limit": str(self.per_hour),
                "X-RateLimit-Org-Hour-Remaining": str(max(0, left_hour)),
                "X-RateLimit-Org-Hour-Reset": str(math.ceil(3600 - (now - self.made[0])) if self.made else 3600),
            }


def provider_of(url: str) -> str | None:
    """The provider a meeting URL belongs to, with or without a scheme, as Anam infers it."""
    host = urlsplit(url if "://" in url else f"https://{url}").hostname or ""
    return next((name for name, pattern in _PROVIDERS.items() if re.fullmatch(pattern, host)), None)


def validate_invite_body(body: Any) -> list[str]:
    """What the API would reject in a POST /v1/meetings/invites body (an empty list when it is fine)."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = field_problems(body, INVITE_KEYS)
    if ("personaId" in body) == ("personaConfig" in body):
        problems.append("personaId: Provide exactly one of personaId or personaConfig")
    if not isinstance(body.get("meetingUrl"), str) or provider_of(body["meetingUrl"]) is None:
        problems.append("meetingUrl: Only Google Meet, Zoom, and Microsoft Teams URLs are supported")
    if "personaId" in body and not is_uuid(body["personaId"]):
        problems.append("personaId: must be a UUID")
    if body.get("region") is not None and body["region"] not in REGIONS:
        problems.append(f"region: must be one of {', '.join(REGIONS)}")
    if isinstance(body.get("displayName"), str) and len(body["displayName"]) > 100:
        problems.append("displayName: at most 100 characters")
    if isinstance(body.get("joinAt"), str):
        problems += _join_problems(body["joinAt"])
    config = body.get("personaConfig")
    if isinstance(config, dict):
        problems += field_problems(config, MEETING_PERSONA_KEYS, within="personaConfig")
        if "avatarModel" in config and config["avatarModel"] not in MEETING_MODELS:
            problems.append(f"personaConfig.avatarModel: must be one of {', '.join(MEETING_MODELS)}")
        problems += [
            f"personaConfig.{k}: must be a UUID"
            for k in ("avatarId", "voiceId", "llmId")
            if k in config and not is_uuid(config[k])
        ]
        if not_positive(config.get("maxSessionLengthSeconds")):
            problems.append("personaConfig.maxSessionLengthSeconds: must be positive")
    return problems


def _join_problems(text: str) -> list[str]:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return ["joinAt: must be an ISO 8601 date-time"]
    if when.tzinfo is None:
        return ["joinAt: must include a timezone"]
    now = datetime.now(UTC)
    if when <= now:
        return ["joinAt must be in the future"]
    return ["joinAt: must be no more than 7 days ahead"] if when > now + timedelta(days=7) else []


def _validation_error(problems: list[str]) -> dict[str, Any]:
    details = [{"path": p.split(":")[0].split(" ")[0], "message": p, "code": "custom"} for p in problems]
    return {"error": "Validation error", "details": details, "summary": "; ".join(problems)}


@routes.post(INVITES)
def create_invite(account: Account, call: Call) -> Answer:
    body = call.body
    problems = validate_invite_body(body)
    if problems:
        return 400, _validation_error(problems), {}
    if "personaId" in body:
        persona = find_persona(account, body["personaId"])
        if persona is None:
            return 403, {"error": "Forbidden"}, {}
        name = persona["name"]
    else:
        name = body["personaConfig"].get("name") or "Cara"
    allowed, headers = account.invite_limits.take()
    if not allowed:
        return 429, {"error": "Too many requests"}, headers
    url = body["meetingUrl"] if "://" in body["meetingUrl"] else "https://" + body["meetingUrl"]
    shown = body.get("displayName") or name
    join_at = body.get("joinAt")
    invite: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "provider": provider_of(url),
        "meetingUrl": url,
        "displayName": shown if shown.endswith(_AI_SUFFIX) else shown + _AI_SUFFIX,
        "status": "pending",
        "createdAt": iso(datetime.now(UTC)),
        "joinAt": iso(datetime.fromisoformat(join_at).astimezone(UTC)) if join_at else None,
        "groupCall": body.get("groupCall", True),
        "sessionId": None,
        "region": body.get("region", "eu"),
        "joinState": None,
        "statusReason": None,
    }
    with account.lock:
        account.meeting_invites.insert(0, invite)
    return 201, dict(invite), headers


def _as_now(invite: dict[str, Any]) -> dict[str, Any]:
    """The invite as it stands when read: a pending one whose time has come is in the call by now."""
    due = invite["joinAt"] is None or datetime.fromisoformat(invite["joinAt"]) <= datetime.now(UTC)
    if invite["status"] == "pending" and due:
        invite.update(status="active", joinState="in_call", sessionId=str(uuid.uuid4()))
    return invite


@routes.get(INVITES)
def list_invites(account: Account, call: Call) -> Answer:
    """Invites, most recent first; only those in `status` with status."""
    with account.lock:
        invites = [_as_now(invite) for invite in account.meeting_invites]
    status = call.query.get("status")
    if status is not None:
        invites = [invite for invite in invites if invite["status"] == status]
    allowed = ("pending", "active", "cancelled", "ended", "failed")
    return listing(account, call, invites, problem="" if status in (None, *allowed) else "invalid status")


def _find(account: Account, wanted: str) -> dict[str, Any] | Answer:
    if not is_uuid(wanted):
        return 400, {"error": "Invalid meeting invite ID"}, {}
    found = next((invite for invite in account.meeting_invites if invite["id"] == wanted), None)
    return found if found is not None else (404, {"error": "Not found"}, {})


@routes.get(INVITES + "/([^/]+)")
def get_invite(account: Account, call: Call) -> Answer:
    with account.lock:
        found = _find(account, call.params[0])
        return found if isinstance(found, tuple) else (200, dict(_as_now(found)), {})


@routes.delete(INVITES + "/([^/]+)")
def cancel_invite(account: Account, call: Call) -> Answer:
    """Cancelled (idempotent for an invite that has already finished); 204 without a body."""
    with account.lock:
        found = _find(account, call.params[0])
        if isinstance(found, tuple):
            return found
        if found["status"] in ("pending", "active"):
            found.update(status="cancelled", joinState="left" if found["status"] == "active" else None)
    return 204, None, {}
