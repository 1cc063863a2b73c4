"""Meeting invites through the server (in memory, against the fake): a persona sent into a call now or later,
links and times checked before anything is sent, Anam's rate limits in words, invites listed and cancelled."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from mcp import Client
from mcp.types import ElicitRequestParams

from anam_fake import CARA_AVATAR_ID, CARA_VOICE_ID, GPT4O_MINI_LLM_ID, FakeAnam, InviteLimits
from anam_mcp.config import Settings
from anam_mcp.server import build_server
from anam_mcp.server.tools.meeting_arguments import MeetingInviteArgs

from .helpers import answering, call, text

pytestmark = pytest.mark.anyio

MEET = "https://meet.google.com/abc-defg-hij"
INVITES = "/v1/meetings/invites"


def persona(fake: FakeAnam, index: int = 0) -> dict[str, Any]:
    return fake.catalogues["/v1/personas"][index]


def ahead(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


async def test_an_invite_now_sends_the_saved_persona_and_says_it_answers_when_addressed(
    client: Client, fake: FakeAnam
) -> None:
    saved = persona(fake)
    invite = await call(client, "invite_persona_to_meeting", {"meeting_url": MEET, "persona_id": saved["id"]})
    (sent,) = fake.requests_to(INVITES, "POST")
    assert sent.body == {"meetingUrl": MEET, "groupCall": True, "personaId": saved["id"]}
    assert (invite["provider"], invite["status"], invite["join_at"]) == ("google_meet", "pending", None)
    assert invite["display_name"] == f"{saved['name']} (AI)"  # Anam's AI-disclosure suffix
    assert invite["invite_id"] == fake.meeting_invites[0]["id"]
    result = await client.call_tool("invite_persona_to_meeting", {"meeting_url": MEET, "persona_id": saved["id"]})
    summary = text(result).splitlines()[0]
    assert "joins now" in summary and "answers when someone addresses it by name" in summary
    assert f"'{saved['name']} (AI)'" in summary and "cancel_meeting_invite" in summary
    listed = await call(client, "list_meeting_invites", {})
    assert [item["status"] for item in listed["items"]] == ["active", "active"]  # joined once read again


async def test_a_scheduled_invite_with_an_ephemeral_persona_gets_the_token_defaults(
    client: Client, fake: FakeAnam
) -> None:
    later = ahead(hours=3).astimezone(ZoneInfo("Europe/Paris"))
    arguments = {
        "meeting_url": "company.zoom.us/j/123456789?pwd=secret",
        "join_at": later.isoformat(),
        "system_prompt": "You take the minutes.",
        "group_call": False,
        "region": "eu",
    }
    invite = await call(client, "invite_persona_to_meeting", arguments)
    (sent,) = fake.requests_to(INVITES, "POST")
    assert sent.body["meetingUrl"] == "https://company.zoom.us/j/123456789?pwd=secret"
    assert sent.body["joinAt"] == later.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert (sent.body["groupCall"], sent.body["region"]) == (False, "eu")
    # One persona configuration: the same defaults as create_session_token.
    assert sent.body["personaConfig"] == {
        "avatarId": CARA_AVATAR_ID,
        "voiceId": CARA_VOICE_ID,
        "systemPrompt": "You take the minutes.",
        "llmId": GPT4O_MINI_LLM_ID,
        "avatarModel": "cara-3",
        "skipGreeting": False,
    }
    assert invite["defaults_applied"] == ["avatar_id", "voice_id", "llm_id"]
    assert invite["default_llm"]["id"] == GPT4O_MINI_LLM_ID
    assert (invite["provider"], invite["status"]) == ("zoom", "pending")
    assert invite["join_at"] == later.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    again = await client.call_tool("invite_persona_to_meeting", arguments)
    summary = text(again).splitlines()[0]
    assert re.search(r"joins at \d+ \w{3} \d\d:\d\d UTC \(in about 3 h 0 min\)", summary), summary
    assert "greets everyone" in summary and "spare capacity" not in summary
    assert [i["status"] for i in (await call(client, "list_meeting_invites", {}))["items"]] == ["pending"] * 2


async def test_a_join_less_than_ten_minutes_ahead_says_it_joins_on_spare_capacity(
    client: Client, fake: FakeAnam
) -> None:
    arguments = {"meeting_url": MEET, "persona_id": persona(fake)["id"], "join_at": ahead(minutes=5).isoformat()}
    result = await client.call_tool("invite_persona_to_meeting", arguments)
    assert not result.is_error, text(result)
    assert "spare capacity" in text(result) and "10 minutes or more reserves its place" in text(result)


@pytest.mark.parametrize(
    ("given", "sent", "provider"),
    [
        ("https://meet.google.com/abc-defg-hij", "https://meet.google.com/abc-defg-hij", "google_meet"),
        ("meet.google.com/abc-defg-hij?authuser=1", "https://meet.google.com/abc-defg-hij?authuser=1", "google_meet"),
        ("https://zoom.us/j/1234567890", "https://zoom.us/j/1234567890", "zoom"),
        ("http://acme.zoom.us/j/123456789?pwd=x", "https://acme.zoom.us/j/123456789?pwd=x", "zoom"),
        ("https://us02web.zoom.us/my/jane.doe", "https://us02web.zoom.us/my/jane.doe", "zoom"),
        (
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d",
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d",
            "microsoft_teams",
        ),
        (
            "https://teams.microsoft.com/meet/123456789?p=abc",
            "https://teams.microsoft.com/meet/123456789?p=abc",
            "microsoft_teams",
        ),
        ("  teams.live.com/meet/9876543210  ", "https://teams.live.com/meet/9876543210", "microsoft_teams"),
    ],
)
def test_every_accepted_link_form_is_sent_as_https(given: str, sent: str, provider: str) -> None:
    args = MeetingInviteArgs.model_validate({"meeting_url": given, "persona_id": CARA_AVATAR_ID})
    assert args.invite_body(None)["meetingUrl"] == sent


BAD_LINKS = [
    "https://example.com/meeting/123",
    "https://meet.google.com/",
    "https://meet.google.com/abcdefghij",
    "https://zoom.us/",
    "https://zoom.us.example.com/j/123456789",
    "https://example.com/zoom.us/j/123456789",
    "ftp://zoom.us/j/123456789",
    "https://teams.microsoft.com/",
    "javascript:alert(1)",
]


async def test_a_link_of_any_other_kind_is_refused_with_the_accepted_forms_and_nothing_sent(
    client: Client, fake: FakeAnam
) -> None:
    for link in BAD_LINKS:
        result = await client.call_tool(
            "invite_persona_to_meeting", {"meeting_url": link, "persona_id": CARA_AVATAR_ID}
        )
        assert result.is_error, link
        said = text(result)
        assert "meeting_url must be a Google Meet, Zoom or Microsoft Teams meeting link" in said, said
        for form in (
            "https://meet.google.com/abc-defg-hij",
            "https://zoom.us/j/",
            "https://teams.microsoft.com/l/meetup-join/",
        ):
            assert form in said
    assert fake.requests == []


@pytest.mark.parametrize(
    ("join_at", "says"),
    [
        ("2030-06-01T10:00:00", "join_at has no timezone, so it could mean any of 24 hours: add one"),
        ("2030-06-01", "join_at has no timezone"),
        ("next tuesday at 3", "join_at must be an ISO 8601 date and time with a timezone"),
        ("2020-06-01T10:00:00Z", "join_at is not in the future"),
        ("+8d", "join_at must be an ISO 8601"),
    ],
)
async def test_a_join_time_without_a_timezone_or_out_of_range_is_refused_saying_why(
    client: Client, fake: FakeAnam, join_at: str, says: str
) -> None:
    arguments = {"meeting_url": MEET, "persona_id": CARA_AVATAR_ID, "join_at": join_at}
    result = await client.call_tool("invite_persona_to_meeting", arguments)
    assert result.is_error and says in text(result), text(result)
    eight_days = {**arguments, "join_at": ahead(days=8).isoformat()}
    too_far = await client.call_tool("invite_persona_to_meeting", eight_days)
    assert too_far.is_error and "join_at is more than 7 days ahead" in text(too_far)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"avatar_model": "cara-4"}, "avatar_model must be one of cara-3 or cara-4-latest"),
        ({"llm_id": "CUSTOMER_CLIENT_V1"}, "a meeting needs an LLM's UUID as llm_id, not CUSTOMER_CLIENT_V1"),
        ({"persona_id": CARA_AVATAR_ID, "voice_id": CARA_VOICE_ID}, "persona_id cannot be combined with voice_id"),
        ({"region": "asia"}, "region must be one of eu, us-east or us-west"),
        ({"display_name": "n" * 101}, "display_name must be at most 100 characters"),
        ({"group_call": "yes please"}, "group_call must be true or false"),
        ({"meetingUrl": MEET}, "did you mean meeting_url?"),
    ],
)
async def test_what_meetings_cannot_take_is_refused_before_anything_is_sent(
    client: Client, fake: FakeAnam, arguments: dict[str, Any], says: str
) -> None:
    result = await client.call_tool("invite_persona_to_meeting", {"meeting_url": MEET} | arguments)
    assert result.is_error and says in text(result), text(result)
    assert fake.requests == []


async def test_429_says_which_limit_is_used_up_and_when_to_try_again(client: Client, fake: FakeAnam) -> None:
    arguments = {"meeting_url": MEET, "persona_id": persona(fake)["id"]}
    fake.invite_limits = InviteLimits(per_minute=1)
    await call(client, "invite_persona_to_meeting", arguments)
    limited = await client.call_tool("invite_persona_to_meeting", arguments)
    assert limited.is_error
    said = text(limited)
    assert "(429): the limit of 1 a minute for each requester is used up" in said, said
    assert re.search(r"Try again in about (59|60) s\. No invite was made\.", said), said
    # Now the organisation's hour is used up instead, by an invite made ten minutes ago.
    fake.invite_limits = InviteLimits(per_hour=1, made=[time.monotonic() - 600])
    hourly = await client.call_tool("invite_persona_to_meeting", arguments)
    assert "the limit of 1 an hour for the organisation is used up. Try again in about 50 min" in text(hourly)
    assert len(fake.requests_to(INVITES, "POST")) == 3  # each refusal sent once: an invite is never retried
    assert len(fake.meeting_invites) == 1


async def test_a_persona_anam_does_not_give_this_organisation_is_refused_with_what_to_check(
    client: Client, fake: FakeAnam
) -> None:
    unknown = "11111111-2222-4333-8444-555555555555"
    result = await client.call_tool("invite_persona_to_meeting", {"meeting_url": MEET, "persona_id": unknown})
    assert result.is_error and "(403)" in text(result) and "search_personas" in text(result)


async def test_invites_are_listed_newest_first_and_by_status(client: Client, fake: FakeAnam) -> None:
    saved = persona(fake)
    now = await call(client, "invite_persona_to_meeting", {"meeting_url": MEET, "persona_id": saved["id"]})
    later = await call(
        client,
        "invite_persona_to_meeting",
        {
            "meeting_url": MEET,
            "persona_id": saved["id"],
            "join_at": ahead(days=1).isoformat(),
            "display_name": "Scribe",
        },
    )
    listed = await call(client, "list_meeting_invites", {})
    assert [item["invite_id"] for item in listed["items"]] == [later["invite_id"], now["invite_id"]]
    assert listed["total"] == 2
    pending = await call(client, "list_meeting_invites", {"status": "pending", "limit": 5})
    assert [(item["display_name"], item["status"]) for item in pending["items"]] == [("Scribe (AI)", "pending")]
    assert fake.requests_to(INVITES, "GET")[-1].query == {"status": "pending", "page": "1", "perPage": "5"}
    summary = text(await client.call_tool("list_meeting_invites", {"status": "pending"})).splitlines()[0]
    assert "'Scribe (AI)', pending, joins" in summary and "Google Meet" in summary


@pytest.mark.parametrize(("mode", "era"), [("legacy", "2025-11-25"), ("auto", "2026-07-28")])
async def test_cancel_asks_naming_the_invite_and_then_calls_it_off(
    settings: Settings, fake: FakeAnam, mode: str, era: str
) -> None:
    asked: list[ElicitRequestParams] = []
    async with Client(build_server(settings), mode=mode, elicitation_callback=answering("accept", True, asked)) as c:
        assert c.protocol_version == era
        arguments = {"meeting_url": MEET, "persona_id": persona(fake)["id"], "join_at": ahead(hours=1).isoformat()}
        invite = await call(c, "invite_persona_to_meeting", arguments)
        cancelled = await call(c, "cancel_meeting_invite", {"invite_id": invite["invite_id"]})
        (shown,) = (await call(c, "list_meeting_invites", {}))["items"]
    assert cancelled == {"invite_id": invite["invite_id"], "cancelled": True}
    (question,) = asked
    assert invite["display_name"] in question.message and MEET in question.message and "pending" in question.message
    assert shown["status"] == "cancelled"


@pytest.mark.parametrize(("action", "confirm"), [("accept", False), ("decline", None)])
async def test_cancel_declined_leaves_the_invite_standing(
    settings: Settings, fake: FakeAnam, action: str, confirm: bool | None
) -> None:
    asked: list[ElicitRequestParams] = []
    async with Client(build_server(settings), elicitation_callback=answering(action, confirm, asked)) as c:
        arguments = {"meeting_url": MEET, "persona_id": persona(fake)["id"], "join_at": ahead(hours=1).isoformat()}
        invite = await call(c, "invite_persona_to_meeting", arguments)
        kept = await call(c, "cancel_meeting_invite", {"invite_id": invite["invite_id"]})
    assert kept == {"invite_id": invite["invite_id"], "cancelled": False}
    assert len(asked) == 1
    assert fake.requests_to(f"{INVITES}/{invite['invite_id']}", "DELETE") == []
    assert fake.meeting_invites[0]["status"] == "pending"


async def test_cancelling_an_unknown_invite_says_it_is_gone_and_names_the_tool_that_lists_them(client: Client) -> None:
    result = await client.call_tool("cancel_meeting_invite", {"invite_id": "11111111-2222-4333-8444-555555555555"})
    assert not result.is_error and "already cancelled" in text(result) and "list_meeting_invites" in text(result)


async def test_an_avatar_that_only_has_a_model_meetings_lack_is_refused_before_the_invite(
    client: Client, fake: FakeAnam
) -> None:
    only_cara_4 = next(a for a in fake.catalogues["/v1/avatars"] if a["availableVersions"] == ["cara-4"])
    await call(client, "search_avatars", {"limit": 1})  # the catalogue is loaded: the avatar's models are known
    result = await client.call_tool("invite_persona_to_meeting", {"meeting_url": MEET, "avatar_id": only_cara_4["id"]})
    assert result.is_error
    assert "supports only cara-4, which meetings do not offer" in text(result) and "search_avatars" in text(result)
    assert fake.requests_to(INVITES) == []


async def test_null_for_every_unused_argument_means_its_default(client: Client, fake: FakeAnam) -> None:
    schema = {t.name: t.input_schema for t in (await client.list_tools()).tools}
    invite = dict.fromkeys(schema["invite_persona_to_meeting"]["properties"]) | {"meeting_url": MEET}
    made = await call(client, "invite_persona_to_meeting", invite)
    assert made["defaults_applied"] == ["avatar_id", "voice_id", "llm_id"] and made["group_call"] is True
    listed = await call(client, "list_meeting_invites", dict.fromkeys(schema["list_meeting_invites"]["properties"]))
    assert listed["total"] == 1
    (sent,) = fake.requests_to(INVITES, "POST")
    assert set(sent.body) == {"meetingUrl", "groupCall", "personaConfig"}
