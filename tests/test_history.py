"""The history toolset through the server (in memory, against the fake): every session reachable through the
cursor, with its persona's name; a transcript's last messages; analytics once a session has ended; the
recording's link and when it expires."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mcp import Client

from anam_fake import FakeAnam, Fault

from .helpers import call, text

pytestmark = pytest.mark.anyio

UNKNOWN = "11111111-2222-4333-8444-555555555555"


def grow_to(fake: FakeAnam, count: int) -> list[str]:
    """Sessions added (newest first) until the fake holds `count`; the ids of all, in the fake's order."""
    persona_id = fake.catalogues["/v1/personas"][1]["id"]
    while len(fake.catalogues["/v1/sessions"]) < count:
        fake.record_conversation(persona_id, [("persona", "Hello"), ("user", "Hi")])
    return [session["id"] for session in fake.catalogues["/v1/sessions"]]


async def every_page(client: Client, limits: list[int]) -> list[dict[str, Any]]:
    """list_sessions followed by its next_cursor to the end, each call with the next of `limits` (the last repeats)."""
    pages = [await call(client, "list_sessions", {"limit": limits[0]})]
    while pages[-1]["next_cursor"]:
        limit = limits[min(len(pages), len(limits) - 1)]
        pages.append(await call(client, "list_sessions", {"limit": limit, "cursor": pages[-1]["next_cursor"]}))
    return pages


@pytest.mark.parametrize("limits", [[40], [100], [30, 100, 7]], ids=["40", "100", "limit changed midway"])
async def test_150_sessions_are_all_reached_through_the_cursor(
    client: Client, fake: FakeAnam, limits: list[int]
) -> None:
    every = grow_to(fake, 150)
    pages = await every_page(client, limits)
    assert [item["id"] for page in pages for item in page["items"]] == every
    assert {page["total"] for page in pages} == {150}
    assert pages[-1]["next_cursor"] is None
    asked = fake.requests_to("/v1/sessions")
    assert all(int(request.query["perPage"]) <= 100 for request in asked)
    if limits == [40]:
        assert [len(page["items"]) for page in pages] == [40, 40, 40, 30]
        assert [request.query["page"] for request in asked] == ["1", "2", "3", "4"]  # one request a page


async def test_items_name_their_persona_and_the_summary_reads_as_a_sentence(client: Client, fake: FakeAnam) -> None:
    guide = fake.catalogues["/v1/personas"][2]
    guide["name"] = "Museum guide"
    fake.record_conversation(guide["id"], [("persona", "Welcome"), ("user", "Hi")] * 60)  # 245 s long
    result = await client.call_tool("list_sessions", {"limit": 5})
    listed = result.structured_content
    assert listed is not None
    newest = listed["items"][0]
    assert (newest["persona_id"], newest["persona_name"]) == (guide["id"], "Museum guide")
    ephemeral = next(item for item in listed["items"] if item["persona_id"] is None)
    assert ephemeral["persona_name"] == "Cara"  # the name the ephemeral persona started with
    summary = text(result).splitlines()[0]
    pattern = r"13 sessions \(showing 1-5\); latest: Museum guide, \d{1,2} \w{3} \d\d:\d\d UTC, 4 min\. More: "
    assert re.match(pattern, summary), summary
    everything = await client.call_tool("list_sessions", {"limit": 20})
    assert text(everything).startswith("13 sessions; latest: Museum guide, ")


async def test_since_keeps_the_sessions_started_since_and_the_cursor_stops_at_the_first_older_one(
    client: Client, fake: FakeAnam
) -> None:
    since = (datetime.now(UTC) - timedelta(hours=8)).isoformat()  # the seeded sessions: 1 h, 4 h, 7 h, 10 h... ago
    first = await call(client, "list_sessions", {"since": since, "limit": 2})
    assert (len(first["items"]), first["total"]) == (2, None)
    rest = await call(client, "list_sessions", {"cursor": first["next_cursor"], "limit": 2})
    assert (len(rest["items"]), rest["total"], rest["next_cursor"]) == (1, 3, None)
    expected = [session["id"] for session in fake.catalogues["/v1/sessions"][:3]]
    assert [item["id"] for item in first["items"] + rest["items"]] == expected
    day = await client.call_tool("list_sessions", {"since": "2000-01-01"})  # a date alone: its midnight, UTC
    assert text(day).startswith("12 sessions since 1 Jan 00:00 UTC; latest: ")


async def test_a_cursor_that_is_not_one_or_is_for_another_list_is_refused_without_a_request(
    client: Client, fake: FakeAnam
) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    other = fake.catalogues["/v1/personas"][1]["id"]
    grow_to(fake, 30)
    first = await call(client, "list_sessions", {"persona_id": persona_id, "limit": 1})
    fake.clear()
    for arguments, says in [
        ({"cursor": "not-a-cursor"}, "cursor is not a next_cursor from list_sessions"),
        ({"cursor": first["next_cursor"], "persona_id": other}, "cursor continues a list with another persona_id"),
        ({"cursor": first["next_cursor"], "since": "2026-01-01"}, "cursor continues a list with another since"),
        ({"since": "last week"}, "since must be an ISO 8601 date or time"),
    ]:
        result = await client.call_tool("list_sessions", arguments)
        assert result.is_error and says in text(result), text(result)
    assert fake.requests == []
    same = await call(client, "list_sessions", {"cursor": first["next_cursor"], "persona_id": persona_id})
    assert all(item["persona_id"] == persona_id for item in same["items"])


async def test_the_last_10_of_a_500_message_transcript_and_the_way_to_the_rest(client: Client, fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    lines = [("persona" if n % 2 == 0 else "user", f"message {n + 1}") for n in range(500)]
    session_id = fake.record_conversation(persona_id, lines)
    last = await call(
        client, "get_session_transcript", {"session_id": session_id, "max_messages": 10, "from_end": True}
    )
    assert [m["text"] for m in last["messages"]] == [f"message {n}" for n in range(491, 501)]
    assert (last["first_index"], last["total_messages"]) == (490, 500)
    assert last["note"] == "Showing messages 491-500 of 500. For earlier ones: offset=10, from_end=true."
    before = await call(
        client, "get_session_transcript", {"session_id": session_id, "max_messages": 10, "from_end": True, "offset": 10}
    )
    assert [m["text"] for m in before["messages"]] == [f"message {n}" for n in range(481, 491)]
    assert "earlier ones: offset=20, from_end=true; later ones: offset=0, from_end=true" in before["note"]
    middle = await call(client, "get_session_transcript", {"session_id": session_id, "max_messages": 10, "offset": 250})
    assert middle["messages"][0]["text"] == "message 251"
    assert "earlier ones: offset=240; later ones: offset=260." in middle["note"]
    whole = await call(client, "get_session_transcript", {"session_id": session_id, "max_messages": 1000})
    assert len(whole["messages"]) == 500 and whole["note"] is None


async def test_analytics_arrive_after_the_session_ends(client: Client, fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    lines = [("persona", "Welcome")] + [("user", "Question?"), ("persona", "Answer.")] * 8
    session_id = fake.record_conversation(persona_id, lines, ongoing=True)
    early = await client.call_tool("get_session_analytics", {"session_id": session_id})
    assert early.is_error
    assert "The session is still going: analytics arrive after the session ends; try again in a minute" in text(early)
    fake.end_session(session_id)
    timed = await call(client, "get_session_analytics", {"session_id": session_id})
    turns = timed["turns"]
    assert len(turns) == 9 and turns[0]["first_audio_seconds"] is None  # the greeting answers nobody
    waits = sorted(turn["first_audio_seconds"] for turn in turns[1:])
    assert timed["median_first_audio_seconds"] == pytest.approx((waits[3] + waits[4]) / 2)
    assert timed["worst_turn"]["first_audio_seconds"] == waits[-1] and timed["worst_turn"]["llm_seconds"] == 2.4
    assert timed["slowest_stage"] == "llm"
    assert timed["stage_medians"]["llm"] > max(timed["stage_medians"]["transcription"], timed["stage_medians"]["tts"])
    summary = text(await client.call_tool("get_session_analytics", {"session_id": session_id})).splitlines()[0]
    assert re.match(
        r"9 turns with '.+': first audio median \d\.\d\d s, worst \d\.\d\d s \(turn \d\); slowest stage: LLM", summary
    )


async def test_a_report_not_yet_in_and_an_unknown_session_say_which(client: Client, fake: FakeAnam) -> None:
    ended = fake.catalogues["/v1/sessions"][0]["id"]
    fake.script(f"/v1/sessions/{ended}/analytics", Fault("status", 404))
    pending = await client.call_tool("get_session_analytics", {"session_id": ended})
    assert pending.is_error
    assert "no analytics for this session yet: analytics arrive after the session ends; try again in a minute" in text(
        pending
    )
    unknown = await client.call_tool("get_session_analytics", {"session_id": UNKNOWN})
    assert unknown.is_error and "(404)" in text(unknown) and "list_sessions" in text(unknown)


async def test_the_recording_is_a_link_and_when_it_expires_never_the_bytes(client: Client, fake: FakeAnam) -> None:
    session_id = fake.catalogues["/v1/sessions"][0]["id"]
    before = datetime.now(UTC).replace(microsecond=0)
    found = await call(client, "get_session_recording", {"session_id": session_id})
    assert found["recording_url"].startswith(f"https://cdn.anam.ai/recordings/{session_id}.mp4?X-Amz-Date=")
    signed = re.search(r"X-Amz-Date=(\w+)", found["recording_url"])
    assert signed is not None
    expires = datetime.strptime(signed[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) + timedelta(hours=1)
    assert datetime.fromisoformat(found["expires_at"]) == expires >= before + timedelta(hours=1)
    assert [request.path for request in fake.requests] == [f"/v1/sessions/{session_id}/recording"]
    fake.script("/v1/sessions/", Fault("status", 200, body={"recordingUrl": "https://cdn.example/r.mp4"}))
    unsigned = await client.call_tool("get_session_recording", {"session_id": session_id})
    assert unsigned.structured_content is not None, text(unsigned)
    left = datetime.fromisoformat(unsigned.structured_content["expires_at"]) - datetime.now(UTC)
    assert timedelta(minutes=59) < left <= timedelta(hours=1)  # Anam's documented hour
    assert "https://cdn.example/r.mp4 - the link works until" in text(unsigned)


async def test_a_session_still_going_has_no_recording_yet(client: Client, fake: FakeAnam) -> None:
    persona_id = fake.catalogues["/v1/personas"][0]["id"]
    session_id = fake.record_conversation(persona_id, [("persona", "Hi")], ongoing=True)
    result = await client.call_tool("get_session_recording", {"session_id": session_id})
    assert result.is_error and "(404)" in text(result) and "once a session ends" in text(result)


async def test_null_for_every_unused_argument_means_its_default(client: Client, fake: FakeAnam) -> None:
    session_id = fake.catalogues["/v1/sessions"][0]["id"]
    schema = {t.name: t.input_schema for t in (await client.list_tools()).tools}
    for tool, chosen in (
        ("list_sessions", {}),
        ("get_session_transcript", {"session_id": session_id}),
        ("get_session_analytics", {"session_id": session_id}),
        ("get_session_recording", {"session_id": session_id}),
    ):
        result = await client.call_tool(tool, dict.fromkeys(schema[tool]["properties"]) | chosen)
        assert not result.is_error, f"{tool}: {text(result)}"
