"""The session-token arguments: modes, defaults, and the exact JSON sent."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from anam_fake import GPT4O_MINI_LLM_ID
from anam_mcp.constants import DEFAULT_AVATAR_ID, DEFAULT_VOICE_ID
from anam_mcp.server.tools.sessions import SessionTokenArgs

PERSONA = "11111111-2222-4333-8444-555555555555"


def ephemeral_body(arguments: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    args = SessionTokenArgs.model_validate(arguments)
    persona, defaults = args.persona().with_defaults(GPT4O_MINI_LLM_ID)
    return args.token_body(persona), defaults


def test_persona_mode_sends_only_the_persona_id() -> None:
    args = SessionTokenArgs.model_validate({"persona_id": PERSONA, "client_label": "web"})
    assert args.mode == "persona"
    assert args.token_body(None) == {"personaConfig": {"personaId": PERSONA}, "clientLabel": "web"}


def test_ephemeral_defaults_are_applied_and_reported() -> None:
    body, defaults = ephemeral_body({})
    assert body == {
        "personaConfig": {
            "avatarId": str(DEFAULT_AVATAR_ID),
            "avatarModel": "cara-3",
            "voiceId": str(DEFAULT_VOICE_ID),
            "llmId": GPT4O_MINI_LLM_ID,
            "skipGreeting": False,
        }
    }
    assert defaults == ["avatar_id", "voice_id", "llm_id"]


def test_ephemeral_fields_are_camel_case_and_nulls_are_omitted() -> None:
    body, defaults = ephemeral_body(
        {
            "name": "Ada",
            "avatar_id": PERSONA,
            "voice_id": PERSONA,
            "llm_id": "CUSTOMER_CLIENT_V1",
            "system_prompt": "Be kind.",
            "avatar_model": "cara-4",
            "max_session_length_seconds": 300,
            "skip_greeting": True,
            "language_code": "fr",
        }
    )
    assert body["personaConfig"] == {
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
    assert defaults == []


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"avatar_id": PERSONA}, "avatar_id"),
        ({"system_prompt": "x"}, "system_prompt"),
        ({"avatar_model": "cara-4"}, "avatar_model"),
        ({"skip_greeting": True}, "skip_greeting"),
        ({"language_code": "en"}, "language_code"),
        ({"name": "n", "voice_id": PERSONA}, "name, voice_id"),
        ({"max_session_length_seconds": 60}, "max_session_length_seconds"),
    ],
)
def test_mixing_modes_names_the_conflicting_arguments(extra: dict[str, object], named: str) -> None:
    with pytest.raises(ValidationError, match=f"persona_id cannot be combined with {named}"):
        SessionTokenArgs.model_validate({"persona_id": PERSONA, **extra})


@pytest.mark.parametrize(
    "bad",
    [
        {"avatar_model": "cara-9"},
        {"max_session_length_seconds": 0},
        {"language_code": "english"},
        {"llm_id": "not an id"},
        {"system_prompt": "x" * 40_000},
        {"name": ""},
        {"avatarId": PERSONA},
    ],
)
def test_out_of_range_values_and_unknown_names_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SessionTokenArgs.model_validate(bad)
