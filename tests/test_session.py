"""The session-token request model: modes, defaults, and the exact JSON sent."""

from __future__ import annotations

from uuid import UUID

import pytest
from pydantic import ValidationError

from anam_mcp.session import DEFAULT_AVATAR_ID, DEFAULT_VOICE_ID, SessionRequest

LLM = "0934d97d-0c3a-4f33-91b0-5e136a0ef466"
PERSONA = "11111111-2222-4333-8444-555555555555"


def test_persona_mode_sends_only_the_persona_id() -> None:
    request = SessionRequest(persona_id=UUID(PERSONA), client_label="web")
    assert request.mode == "persona"
    assert request.body(LLM) == {"personaConfig": {"personaId": PERSONA}, "clientLabel": "web"}
    assert request.defaults_applied() == []


def test_ephemeral_defaults_are_applied_and_reported() -> None:
    request = SessionRequest()
    assert request.mode == "ephemeral"
    assert request.body(LLM) == {
        "personaConfig": {
            "avatarId": str(DEFAULT_AVATAR_ID),
            "avatarModel": "cara-3",
            "voiceId": str(DEFAULT_VOICE_ID),
            "llmId": LLM,
        }
    }
    assert request.defaults_applied() == ["avatar_id", "voice_id", "llm_id"]


def test_ephemeral_fields_are_camel_case_and_nulls_are_omitted() -> None:
    request = SessionRequest(
        name="Ada",
        avatar_id=UUID(PERSONA),
        voice_id=UUID(PERSONA),
        llm_id="CUSTOMER_CLIENT_V1",
        system_prompt="Be kind.",
        avatar_model="cara-4",
        max_session_length_seconds=300,
        skip_greeting=True,
        language_code="fr",
    )
    config = request.body(LLM)["personaConfig"]
    assert config == {
        "name": "Ada",
        "avatarId": PERSONA,
        "avatarModel": "cara-4",
        "voiceId": PERSONA,
        "llmId": "CUSTOMER_CLIENT_V1",
        "systemPrompt": "Be kind.",
        "maxSessionLengthSeconds": 300,
        "skipGreeting": True,
        "languageCode": "fr",
    }
    assert None not in config.values()
    assert request.defaults_applied() == []


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"avatar_id": UUID(PERSONA)}, "avatar_id"),
        ({"system_prompt": "x"}, "system_prompt"),
        ({"avatar_model": "cara-4"}, "avatar_model"),
        ({"skip_greeting": True}, "skip_greeting"),
        ({"language_code": "en"}, "language_code"),
        ({"name": "n", "voice_id": UUID(PERSONA)}, "name, voice_id"),
    ],
)
def test_mixing_modes_names_the_conflicting_arguments(extra: dict[str, object], named: str) -> None:
    with pytest.raises(ValidationError, match=f"persona_id cannot be combined with {named}"):
        SessionRequest(persona_id=UUID(PERSONA), **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        {"avatar_model": "cara-9"},
        {"max_session_length_seconds": 0},
        {"language_code": "english"},
        {"llm_id": "not an id"},
        {"system_prompt": "x" * 40_000},
        {"name": ""},
    ],
)
def test_out_of_range_values_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SessionRequest(**bad)  # type: ignore[arg-type]
