"""A session's per-turn latency analytics, made up from its transcript the same way every time."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from ..formats import iso, parse_iso

# Every fourth answer waits this long for the LLM: a slow turn for a test (or a person) to find.
SLOW_LLM_SECONDS = 2.4


def make_analytics(session: dict[str, Any], messages: list[dict[str, Any]]) -> dict[str, Any]:
    """GET /v1/sessions/{id}/analytics for an ended `session`: a turn for each persona message, its user side
    filled when a user message came before it (the greeting has none)."""
    rng = random.Random(session["id"])
    started = parse_iso(session["startTime"])
    turns: list[dict[str, Any]] = []
    for position, message in enumerate(messages):
        if message.get("role") != "persona":
            continue
        spoke = parse_iso(message["timestamp"]) if message.get("timestamp") else started
        asked = position > 0 and messages[position - 1].get("role") == "user"
        slow = asked and len(turns) % 4 == 3
        turns.append(_turn(len(turns), rng, spoke, asked, slow, bool(message.get("wasInterrupted"))))
    timed = [turn for turn in turns if turn["firstAudioLatencySeconds"] is not None]
    interrupted = sum(turn["wasInterrupted"] for turn in turns)

    def average(key: str) -> float | None:
        values = [turn[key] for turn in turns if turn[key] is not None]
        return round(sum(values) / len(values), 3) if values else None

    return {
        "sessionId": session["id"],
        "startTime": session["startTime"],
        "endTime": session["endTime"],
        "durationSeconds": session["sessionLengthMs"] / 1000,
        "sessionType": "turnkey",
        "exitStatus": session["exitStatus"],
        "clientLabel": session["clientLabel"],
        "clientMetadata": None,
        "personaId": session["personaId"],
        "apiKeyId": session["apiKeyId"],
        "config": {
            "llmProvider": "openai",
            "llmModel": "gpt-4o-mini",
            "ttsProvider": "ELEVENLABS",
            "ttsVoice": "lcMyyd2HUfFzxdCaC4Ta",
            "avatarKey": "cara_home",
            "personaName": session["personaConfig"]["name"],
            "languageCode": "en",
            "transcriptsEnabled": True,
        },
        "summary": {
            "totalTurns": len(turns),
            "completedTurns": len(turns) - interrupted,
            "interruptedTurns": interrupted,
            "interruptionRate": round(interrupted / len(turns), 3) if turns else None,
            "totalUserSpeechDurationSeconds": round(sum(t["userSpeechDurationSeconds"] or 0 for t in timed), 2),
            "totalUserWords": 4 * len(timed),
            "totalAssistantWords": 12 * len(turns),
            "totalWarnings": 0,
            "totalErrors": 0,
            "toolCalls": {"total": 0, "succeeded": 0, "failed": 0, "byName": {}},
            "averageLatencies": {
                key: average(key)
                for key in (
                    "transcriptionLatencySeconds",
                    "llmTimeToFirstOutputSeconds",
                    "ttsGenerationDurationSeconds",
                    "firstAudioLatencySeconds",
                )
            },
        },
        "turns": turns,
    }


def _turn(
    index: int, rng: random.Random, spoke: datetime, asked: bool, slow: bool, interrupted: bool
) -> dict[str, Any]:
    """One turn whose persona starts speaking at `spoke`; with `asked`, the user spoke just before."""
    transcription = round(rng.uniform(0.2, 0.45), 2)
    llm = SLOW_LLM_SECONDS if slow else round(rng.uniform(0.4, 1.0), 2)
    tts_first_audio = round(rng.uniform(0.25, 0.5), 2)
    first_audio = round(transcription + llm + 0.05 + tts_first_audio, 2)
    llm_first = spoke - timedelta(seconds=tts_first_audio + 0.05)
    user_end = spoke - timedelta(seconds=first_audio)

    def user(value: Any) -> Any:
        return value if asked else None

    return {
        "turnIndex": index,
        "correlationId": f"corr-{index:04d}",
        "userSpeechStartTime": user(iso(user_end - timedelta(seconds=1.5))),
        "userSpeechEndTime": user(iso(user_end)),
        "userSpeechDurationSeconds": user(1.5),
        "userTranscriptionTime": user(iso(user_end + timedelta(seconds=transcription))),
        "transcriptionLatencySeconds": user(transcription),
        "llmFirstOutputTime": iso(llm_first),
        "llmFinalOutputTime": iso(llm_first + timedelta(seconds=1.2)),
        "llmTimeToFirstOutputSeconds": user(llm),
        "llmGenerationDurationSeconds": 1.2,
        "ttsStartTime": iso(spoke - timedelta(seconds=tts_first_audio)),
        "ttsEndTime": iso(spoke + timedelta(seconds=1.5)),
        "ttsGenerationDurationSeconds": 1.5,
        "ttsTimeToFirstAudioSeconds": tts_first_audio,
        "personaStartSpeakingTime": iso(spoke),
        "personaStopSpeakingTime": iso(spoke + timedelta(seconds=1.5)),
        "firstAudioLatencySeconds": user(first_audio),
        "speakingDurationSeconds": 1.5,
        "finishReason": "interrupted" if interrupted else "completed",
        "wasInterrupted": interrupted,
        "interruptedStage": "while_speaking" if interrupted else None,
        "toolCalls": [],
    }
