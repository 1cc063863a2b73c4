"""The wording people and models read: summaries, hints, validation messages."""

from __future__ import annotations

import pytest
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError

from anam_fake import LIV_AVATAR_ID
from anam_mcp.api.catalogue import Avatar
from anam_mcp.constants import ANAM_JS_SDK_URL, ANAM_JS_SDK_VERSION
from anam_mcp.server.arguments import arguments_text
from anam_mcp.server.persona_config import check_avatar_model
from anam_mcp.server.prompts import set_up_persona_session
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
    prompt = set_up_persona_session("a tutor")
    assert prompt.startswith("Set up a real-time Anam persona session for: a tutor.\n")
    assert "{{" not in prompt and "}}" not in prompt


def test_the_setup_prompts_snippet_imports_the_sdk_version_the_views_load() -> None:
    # Unpinned, a page would get whatever esm.sh serves that day, not the SDK the live view was tested with.
    prompt = set_up_persona_session("a tutor")
    assert f'import {{ createClient }} from "https://esm.sh/@anam-ai/js-sdk@{ANAM_JS_SDK_VERSION}";' in prompt
    assert f"/@anam-ai/js-sdk@{ANAM_JS_SDK_VERSION}/" in ANAM_JS_SDK_URL


def liv(*models: str) -> Avatar:
    return Avatar.model_validate({"id": LIV_AVATAR_ID, "displayName": "Liv", "availableVersions": list(models)})


@pytest.mark.parametrize(
    ("models", "says"),
    [
        (["cara-3"], "it supports only cara-3: use that, or pick another avatar with search_avatars."),
        (["cara-3", "cara-4-latest"], "it supports cara-3 and cara-4-latest: use one of those, or pick another"),
    ],
)
def test_an_unsupported_avatar_model_names_what_the_avatar_supports_in_plain_words(
    models: list[str], says: str
) -> None:
    with pytest.raises(ToolError) as refused:
        check_avatar_model(liv(*models), "cara-4", chosen=True)
    assert f"avatar_model cara-4 is not supported by the avatar Liv ({LIV_AVATAR_ID}): {says}" in str(refused.value)
