"""Personas saved in Anam Lab, and the sessions people had with them, with their transcripts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from ..formats import iso, parse_iso, random_uuid
from ..ids import CARA_AVATAR_ID, CARA_VOICE_ID
from .names import first_name, stamp
from .once import generated_once

_OPENERS = ["Hi! I'm your guide today. What would you like to see?", "Hello, how can I help?"]
_QUESTIONS = ["Where are the mummies?", "How old is this statue?", "Can you speak more slowly?", "Thanks, bye!"]


@generated_once
def make_personas(count: int = 25, seed: int = 5) -> list[dict[str, Any]]:
    """`count` personas as GET /v1/personas lists them, all with Cara's avatar and voice."""
    rng = random.Random(seed)
    return [
        {
            "id": random_uuid(rng),
            "name": f"{first_name(i)} {rng.choice(['Support', 'Tutor', 'Concierge', 'Sales'])}",
            "description": "" if rng.random() < 0.3 else "A persona saved in Anam Lab.",
            "personaPreset": "",
            "avatar": {"id": CARA_AVATAR_ID, "displayName": "Cara"},
            "voice": {"id": CARA_VOICE_ID, "displayName": "Cara"},
            "voiceSpeed": None,
            "isDefaultPersona": False,
            "languageCode": rng.choice(["en", "fr", "inherit"]),
            "createdAt": stamp(rng),
            "updatedAt": stamp(rng),
        }
        for i in range(count)
    ]


def make_session(
    session_id: str, persona: dict[str, Any] | None, started: datetime, seconds: float, label: str | None
) -> dict[str, Any]:
    """A session record as GET /v1/sessions lists it."""
    return {
        "id": session_id,
        "personaId": persona["id"] if persona else None,
        "clientLabel": label,
        "startTime": iso(started),
        "endTime": iso(started + timedelta(seconds=seconds)),
        "sessionLengthMs": int(seconds * 1000),
        "exitStatus": "NORMAL_EXIT",
        "engineHost": "connect-eu.anam.ai/v1/webrtc/engines/anam-engine-fake",
        "engineProtocol": "https",
        "engineVersion": "v5.1.0",
        "clientMetadata": {"userAgent": "Mozilla/5.0"},
        "personaConfig": {
            "type": "persona" if persona else "ephemeral",
            "name": persona["name"] if persona else "Cara",
        },
        "apiKeyId": "00000000-0000-4000-8000-000000000001",
        "organizationId": "org_fake",
        "createdAt": iso(started),
        "updatedAt": iso(started + timedelta(seconds=seconds)),
    }


def make_transcript(session: dict[str, Any], persona_name: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    """The transcript of `session`: (role, text) pairs, said two seconds apart, text under "message"."""
    started = parse_iso(session["startTime"])
    messages: list[dict[str, Any]] = []
    for i, (role, text) in enumerate(lines):
        message: dict[str, Any] = {
            "role": role,
            "message": text,
            "timestamp": iso(started + timedelta(seconds=2 * i + 1)),
            "speakingDurationSeconds": 1.5,
        }
        if role == "persona":
            message["wasInterrupted"] = False
        messages.append(message)
    return {
        "sessionId": session["id"],
        "personaName": persona_name,
        "startTime": session["startTime"],
        "endTime": session["endTime"],
        "durationMs": session["sessionLengthMs"],
        "totalMessages": len(messages),
        "transcriptsEnabled": True,
        "messages": messages,
    }


def make_sessions(
    personas: list[dict[str, Any]], now: datetime, count: int = 12, seed: int = 13
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Sessions (newest first, the newest an hour before `now`) and their transcripts, by session id.

    Among them: every third one with an ephemeral persona; the second newest with transcripts turned off;
    the third a long conversation (250 messages); the fourth and fifth with the text under "content" and
    "text" instead of "message", as older answers had it.
    """
    rng = random.Random(seed)
    sessions: list[dict[str, Any]] = []
    transcripts: dict[str, dict[str, Any]] = {}
    for i in range(count):
        persona = None if i % 3 == 2 else personas[i % 4]
        length = 250 if i == 2 else rng.randint(3, 8)
        started = now - timedelta(hours=3 * i + 1)
        session = make_session(random_uuid(rng), persona, started, 2.0 * length + 5, rng.choice([None, "docs-demo"]))
        lines = [
            ("persona" if n % 2 == 0 else "user", rng.choice(_QUESTIONS if n % 2 else _OPENERS)) for n in range(length)
        ]
        transcript = make_transcript(session, persona["name"] if persona else "Cara", lines)
        if i == 1:
            transcript |= {"transcriptsEnabled": False, "totalMessages": 0, "messages": []}
        for position, key in ((3, "content"), (4, "text")):
            if i == position:
                for message in transcript["messages"]:
                    message[key] = message.pop("message")
        sessions.append(session)
        transcripts[session["id"]] = transcript
    return sessions, transcripts


@generated_once
def seeded_people(
    persona_count: int = 25, seed: int = 5, session_seed: int = 13, suffix: str = ""
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Personas (from `seed`, each name followed by `suffix`) with sessions and transcripts (from `session_seed`).

    The sessions are dated from the first call in this process: a fake started later in the same process
    sees them an instant older, as it would sessions that happened while it ran.
    """
    personas = make_personas(persona_count, seed)
    for persona in personas:
        persona["name"] += suffix
    sessions, transcripts = make_sessions(personas, datetime.now(UTC), seed=session_seed)
    return personas, sessions, transcripts
