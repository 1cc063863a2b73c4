"""The wording people and models read: summaries, hints, validation messages."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from anam_mcp.server.arguments import arguments_text
from anam_mcp.server.prompts import SETUP_PROMPT
from anam_mcp.server.search_results import listed_summary
from anam_mcp.server.tools.sessions import SessionTokenArgs


def test_listed_summary() -> None:
    assert listed_summary("voice", 0, [], "xyz") == "No voices matching 'xyz'."
    assert listed_summary("voice", 1, ["Lucy"], "lucy") == "1 voice matching 'lucy': Lucy."
    names = [f"v{i}" for i in range(7)]
    assert listed_summary("voice", 40, names, None) == "40 voices (showing 7): v0, v1, v2, v3, v4, ..."


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
