"""The wording people and models read: summaries, hints, validation messages."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from anam_mcp.errors import AnamUnavailableError, InvalidRequestError, NotFoundError
from anam_mcp.session import SessionTokenArgs
from anam_mcp.texts import SETUP_PROMPT, TOKEN_HINTS, arguments_text, error_text, search_summary, token_summary


def test_search_summary() -> None:
    assert search_summary("voice", 0, [], "xyz") == "No voices matching 'xyz'."
    assert search_summary("voice", 1, ["Lucy"], "lucy") == "1 voice matching 'lucy': Lucy."
    names = [f"v{i}" for i in range(7)]
    assert search_summary("voice", 40, names, None) == "40 voices (showing 7): v0, v1, v2, v3, v4, ..."


def test_token_summary_names_the_defaults() -> None:
    assert "an ephemeral persona; defaults used for avatar_id, llm_id" in token_summary(
        "ephemeral", ["avatar_id", "llm_id"]
    )
    assert token_summary("persona", []).startswith("Created a session token for a saved persona. ")


def test_token_errors_say_what_to_check_and_others_do_not() -> None:
    assert "search_personas" in error_text(NotFoundError("Persona not found"), TOKEN_HINTS)
    assert "available_models" in error_text(InvalidRequestError(400, "bad"), TOKEN_HINTS)
    assert error_text(NotFoundError(None)) == str(NotFoundError(None))
    assert error_text(AnamUnavailableError(503), TOKEN_HINTS) == str(AnamUnavailableError(503))


def test_validation_text_names_arguments_without_echoing_values() -> None:
    with pytest.raises(ValidationError) as caught:
        SessionTokenArgs.model_validate({"system_prompt": "SECRET-ish " * 5000, "language_code": "klingon"})
    text = arguments_text(caught.value, SessionTokenArgs.model_fields)
    assert text.startswith("Invalid arguments: ")
    assert "system_prompt must be at most 32000 characters" in text
    assert "language_code" in text
    assert "SECRET-ish" not in text


def test_setup_prompt_fills_in_the_persona_and_keeps_the_snippets_braces() -> None:
    prompt = SETUP_PROMPT.format(persona="a tutor")
    assert prompt.startswith("Set up a real-time Anam persona session for: a tutor.\n")
    assert 'import { createClient } from "https://esm.sh/@anam-ai/js-sdk";' in prompt
    assert "{{" not in prompt and "}}" not in prompt
