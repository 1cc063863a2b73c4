"""What a meeting invite takes: a Google Meet, Zoom or Microsoft Teams link in one of the forms Anam accepts,
a join time with a timezone within the next 7 days, and the persona as create_session_token takes it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, Self, get_args
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import AfterValidator, Field, model_validator

from .sessions import EphemeralPersona, PersonaChoice

__all__ = ["MEETING_MODELS", "PROVIDERS", "MeetingInviteArgs"]

# Each provider's meeting links: host, then path. Anam accepts links without a scheme (and adds https://).
_LINKS = {
    "google_meet": (r"meet\.google\.com", r"/[a-z]{3}-[a-z]{4}-[a-z]{3}/?"),
    "zoom": (r"(?:[a-z0-9-]+\.)*zoom\.us", r"/(?:j/\d{9,12}|my/[\w.-]+)/?"),
    "microsoft_teams": (r"teams\.microsoft\.com|teams\.live\.com", r"/(?:l/meetup-join|meet)/.+"),
}
PROVIDERS = {"google_meet": "Google Meet", "zoom": "Zoom", "microsoft_teams": "Microsoft Teams"}
_ACCEPTED = (
    "must be a Google Meet, Zoom or Microsoft Teams meeting link: https://meet.google.com/abc-defg-hij, "
    "https://zoom.us/j/123456789 (or your company's https://name.zoom.us/j/..., or a /my/ link), "
    "https://teams.microsoft.com/l/meetup-join/..., https://teams.microsoft.com/meet/... or "
    "https://teams.live.com/meet/..."
)
# The avatar models Anam offers in meetings (cara-4 is not among them).
MeetingModel = Literal["cara-3", "cara-4-latest"]
MEETING_MODELS: tuple[str, ...] = get_args(MeetingModel)
_MAX_AHEAD = timedelta(days=7)


def _provider_of(url: str) -> str | None:
    """google_meet, zoom or microsoft_teams for a meeting link of theirs; None for anything else."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    for provider, (host, path) in _LINKS.items():
        if (
            parts.scheme in ("http", "https")
            and re.fullmatch(host, parts.hostname or "")
            and re.fullmatch(path, parts.path)
        ):
            return provider
    return None


def _meeting_url(value: str) -> str:
    url = value.strip()
    if _provider_of(url) is None:
        raise ValueError(_ACCEPTED)
    return "https://" + url.split("://", 1)[-1]


def _join_at(value: str) -> str:
    """`join_at` in UTC ("...Z") if it is an ISO 8601 time with a timezone, in the future and within 7 days."""
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("must be an ISO 8601 date and time with a timezone, e.g. 2026-12-02T14:05:00+01:00") from None
    if when.tzinfo is None:
        raise ValueError(
            "has no timezone, so it could mean any of 24 hours: add one, e.g. Z for UTC or +01:00 "
            "(2026-12-02T14:05:00+01:00)"
        )
    now = datetime.now(UTC)
    if when <= now:
        raise ValueError(f"is not in the future (it is {now:%Y-%m-%dT%H:%M}Z now): leave it out to join now")
    if when > now + _MAX_AHEAD:
        raise ValueError("is more than 7 days ahead: Anam schedules a meeting invite at most 7 days ahead")
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


class MeetingInviteArgs(PersonaChoice):
    """invite_persona_to_meeting's arguments: the meeting, and the persona as create_session_token takes it."""

    # Narrowed to the models meetings offer; otherwise the persona fields are create_session_token's own.
    avatar_model: Annotated[MeetingModel, Field(description="One the avatar supports; cara-4-latest: invite only.")] = (
        "cara-3"
    )
    meeting_url: Annotated[str, Field(description="Meet, Zoom or Teams link."), AfterValidator(_meeting_url)]
    display_name: Annotated[
        str | None, Field(min_length=1, max_length=100, description="Name shown (Anam adds an AI label).")
    ] = None
    join_at: Annotated[
        str | None, Field(description="ISO 8601 with timezone, within 7 days. Default: now."), AfterValidator(_join_at)
    ] = None
    region: Annotated[
        Literal["eu", "us-east", "us-west"] | None, Field(description="Join from nearest the participants.")
    ] = None
    group_call: Annotated[bool, Field(description="Quiet until addressed by name; false: 1:1.")] = True

    @model_validator(mode="after")
    def _an_llm_of_anams(self) -> Self:
        if self.llm_id is not None:
            try:
                UUID(self.llm_id)
            except ValueError:
                raise ValueError(
                    f"a meeting needs an LLM's UUID as llm_id, not {self.llm_id} (CUSTOMER_CLIENT_V1 leaves the "
                    "answers to a client of yours, and a meeting has none): pass one from list_llms, or leave it out"
                ) from None
        return self

    def invite_body(self, persona: EphemeralPersona | None) -> dict[str, Any]:
        """The JSON body for POST /v1/meetings/invites: the saved persona's id, or `persona` as sent."""
        body: dict[str, Any] = {"meetingUrl": self.meeting_url, "groupCall": self.group_call}
        if persona is None:
            body["personaId"] = str(self.persona_id)
        else:
            body["personaConfig"] = persona.body()
        given = {"displayName": self.display_name, "joinAt": self.join_at, "region": self.region}
        return body | {key: value for key, value in given.items() if value is not None}
