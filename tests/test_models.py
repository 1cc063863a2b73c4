"""Parsing Anam's records leniently, and shaping them into tool results."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from anam_mcp.api.catalogue import Avatar, Llm, Voice
from anam_mcp.api.personas import Persona, PersonaDetail
from anam_mcp.api.sessions import Transcript
from anam_mcp.api.share_links import CreatedShareLink
from anam_mcp.server.persona_config import LlmChoice
from anam_mcp.server.tools.catalogue import AvatarItem, LlmListResult, VoiceItem
from anam_mcp.server.tools.persona_view import PersonaView
from anam_mcp.server.tools.personas import PersonaItem
from anam_mcp.server.tools.transcripts import TranscriptResult


def test_avatar_parses_camel_case_ignores_unknown_fields_and_knows_stock() -> None:
    avatar = Avatar.model_validate(
        {"id": "a", "displayName": "Liv", "variantName": None, "createdByOrganizationId": None, "newThing": [1]}
    )
    assert (avatar.display_name, avatar.variant_name, avatar.is_stock) == ("Liv", None, True)
    assert not Avatar.model_validate({"id": "b", "createdByOrganizationId": "org_1"}).is_stock
    assert AvatarItem.model_validate(avatar).model_dump()["variant_name"] is None


def test_voice_reads_the_sample_url_alias_and_the_older_name_field() -> None:
    voice = Voice.model_validate({"id": "v", "name": "Old Name", "previewSampleUrl": "https://s/1.mp3", "gender": None})
    assert voice.display_name == "Old Name"
    assert voice.sample_url == "https://s/1.mp3"
    item = VoiceItem.model_validate(voice)
    assert item.sample_url == "https://s/1.mp3"
    assert item.gender is None


def test_llm_item_marks_the_server_default() -> None:
    llm = Llm.model_validate({"id": "x", "displayName": "GPT", "isDefault": True})
    listed = LlmListResult.of([llm], 10, None)
    assert listed.with_default(LlmChoice(id="x", display_name="GPT", reason="r")).items[0].is_used_by_default
    assert not listed.with_default(LlmChoice(id="y", display_name=None, reason="r")).items[0].is_used_by_default


def test_persona_item_flattens_the_avatar_and_voice_and_blanks_empty_descriptions() -> None:
    persona = Persona.model_validate(
        {"id": "p", "name": "Tutor", "description": "", "avatar": {"id": "a", "displayName": "Cara"}, "voice": None}
    )
    item = PersonaItem.model_validate(persona)
    assert (item.avatar_name, item.voice_name, item.description) == ("Cara", None, None)


def test_internal_model_versions_become_public_avatar_model_names() -> None:
    avatar = Avatar.model_validate(
        {"id": "a", "availableVersions": ["v1", "v2", "cara-4-3", "cara-3"], "activeVersion": "v2"}
    )
    assert avatar.available_models == ["cara-2", "cara-3", "cara-4-latest"]
    public = Avatar.model_validate({"id": "b", "availableVersions": ["cara-3", "cara-4", "cara-4-latest"]})
    assert public.available_models == ["cara-3", "cara-4", "cara-4-latest"]


def test_lowercase_codes_from_the_older_spec_are_normalised() -> None:
    voice = Voice.model_validate({"id": "v", "gender": "female", "country": "gb", "provider": "elevenlabs"})
    assert (voice.gender, voice.country, voice.provider) == ("FEMALE", "GB", "ELEVENLABS")


def test_a_persona_in_full_reads_the_prompt_from_its_brain_and_skips_odd_share_links() -> None:
    persona = PersonaDetail.model_validate(
        {
            "id": "p",
            "name": "Guide",
            "brain": {"personality": None, "systemPrompt": "Be calm."},
            "shareLinks": [{"token": "sh_1", "usageCount": 2, "usageLimit": None}, "garbage", None],
            "languageCode": "inherit",
            "avatar": {"id": "a", "displayName": "Liv", "imageUrl": "https://i/liv.png"},
        }
    )
    view = PersonaView.of(persona, lambda token: f"https://share/{token}")
    assert view.system_prompt == "Be calm."
    assert view.language_code is None  # "inherit": the organisation's setting
    assert [link.model_dump() for link in view.share_links or []] == [
        {"url": "https://share/sh_1", "expires_at": None, "usage": {"used": 2, "limit": None}}
    ]
    assert view.avatar is not None and view.avatar.image_url == "https://i/liv.png"
    assert (view.voice, view.llm_id, view.skip_greeting) == (None, None, None)
    assert PersonaDetail.model_validate({"id": "q", "systemPrompt": "Top level"}).system_prompt == "Top level"


def test_a_transcript_reads_message_content_or_text_and_skips_what_it_cannot_read() -> None:
    transcript = Transcript.model_validate(
        {
            "messages": [
                {"role": "persona", "message": "Hello"},
                {"role": "user", "content": "Hi"},
                {"role": "persona", "text": "Welcome"},
                "noise",
                {"role": ["bad"]},
            ],
            "durationMs": 61_500,
        }
    )
    assert [(m.role, m.text) for m in transcript.messages] == [
        ("persona", "Hello"),
        ("user", "Hi"),
        ("persona", "Welcome"),
    ]
    read = TranscriptResult.of(transcript, "s", 0, 2, note=None)
    assert (read.session_id, read.duration_seconds, read.total_messages, len(read.messages)) == ("s", 61.5, 3, 2)
    assert Transcript.model_validate({"messages": None}).messages == []


def test_a_share_link_just_made_needs_its_token() -> None:
    with pytest.raises(ValidationError):
        CreatedShareLink.model_validate({"id": "l", "token": ""})
    assert CreatedShareLink.model_validate({"token": "sh_1", "somethingNew": 1}).token == "sh_1"
