"""Parsing Anam's records leniently, and shaping them into tool results."""

from __future__ import annotations

from anam_mcp.models import Avatar, Llm, Persona, Voice
from anam_mcp.persona import LlmChoice
from anam_mcp.results import AvatarItem, LlmListResult, PersonaItem, VoiceItem


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
