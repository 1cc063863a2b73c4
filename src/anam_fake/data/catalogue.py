"""The catalogue: avatars and voices like Anam's (stock and custom, some fields null, unknown extras), and LLMs.

The generators are seeded, so the same call gives the same records in every run, and each returns a list of
its own that the caller may change (see once.py).
"""

from __future__ import annotations

import random
from typing import Any

from ..formats import random_uuid
from ..ids import CARA_AVATAR_ID, CARA_VOICE_ID, GPT4O_LLM_ID, GPT4O_MINI_LLM_ID, LIV_AVATAR_ID, LUCY_VOICE_ID
from .names import ACCENTS, COUNTRIES, GENDERS, PROVIDERS, VARIANTS, VOICE_STYLES, first_name, stamp
from .once import generated_once


@generated_once
def make_avatars(count: int = 130, seed: int = 7) -> list[dict[str, Any]]:
    """`count` avatars: Cara and Liv first, then about a quarter of the rest custom (made by one organisation)."""
    rng = random.Random(seed)
    org = "org_" + "".join(rng.choice("abcdefghijklmnop0123456789") for _ in range(12))
    avatars: list[dict[str, Any]] = [
        _avatar(rng, CARA_AVATAR_ID, "Cara", "desk", None),
        _avatar(rng, LIV_AVATAR_ID, "Liv", "home", None),
    ]
    for i in range(count - len(avatars)):
        custom = rng.random() < 0.25
        avatars.append(_avatar(rng, random_uuid(rng), first_name(i), rng.choice(VARIANTS), org if custom else None))
    return avatars


def _avatar(rng: random.Random, id_: str, name: str, variant: str, org: str | None) -> dict[str, Any]:
    slug = name.lower()
    versions = rng.choice([["cara-3"], ["cara-3", "cara-4"], ["cara-4"]])
    return {
        "id": id_,
        "displayName": name,
        "variantName": variant,
        "imageUrl": f"https://lab.anam.ai/persona_thumbnails/{slug}_{variant.replace(' ', '_')}.png",
        "landscapeImageUrl": None,
        "portraitImageUrl": None,
        "videoUrl": None if rng.random() < 0.3 else f"https://cdn.example.test/{id_}.mp4?X-Amz-Signature=abc",
        "idleVideoUrl": None,
        "createdAt": stamp(rng),
        "updatedAt": stamp(rng),
        "createdByOrganizationId": org,
        "availableVersions": versions,
        "activeVersion": versions[0],
        "description": None if rng.random() < 0.3 else f"{name} in a {variant} setting, warm expression.",
        "displayTags": ["friendly"] if rng.random() < 0.5 else [],
        "renderStyle": "realistic" if org is None else "unknown",
        "futureField": {"added": "later"},  # the API grows: clients must ignore what they do not know
    }


@generated_once
def make_voices(count: int = 450, seed: int = 11) -> list[dict[str, Any]]:
    """`count` voices: Cara and "Lucy - Fresh & Casual" first, then a mix of providers, genders and countries
    (a few of each unknown), about one in ten custom."""
    rng = random.Random(seed)
    voices = [
        _voice(rng, CARA_VOICE_ID, "Cara", "FEMALE", "GB", "ELEVENLABS", None),
        _voice(rng, LUCY_VOICE_ID, "Lucy - Fresh & Casual", "FEMALE", "GB", "ELEVENLABS", None),
    ]
    for i in range(count - len(voices)):
        name = f"{first_name(i)} - {rng.choice(VOICE_STYLES)}"
        gender = None if rng.random() < 0.05 else rng.choice(GENDERS)
        country = None if rng.random() < 0.05 else rng.choice(COUNTRIES)
        org = "org_custom" if rng.random() < 0.1 else None
        voices.append(_voice(rng, random_uuid(rng), name, gender, country, rng.choice(PROVIDERS), org))
    return voices


def _voice(
    rng: random.Random, id_: str, name: str, gender: str | None, country: str | None, provider: str, org: str | None
) -> dict[str, Any]:
    accent = ACCENTS.get(country or "", "neutral")
    sample = None if rng.random() < 0.1 else f"https://samples.example.test/{id_}.mp3"
    return {
        "id": id_,
        "displayName": name,
        "provider": provider,
        "providerVoiceId": None if rng.random() < 0.2 else f"pv_{rng.getrandbits(40):x}",
        "providerModelId": None if rng.random() < 0.5 else "eleven_flash_v2_5",
        "sampleUrl": sample,
        "previewSampleUrl": sample,
        "gender": gender,
        "country": country,
        "description": None
        if rng.random() < 0.1
        else f"{rng.choice(['Energetic', 'Calm', 'Warm', 'Crisp'])} {accent} voice for conversational agents.",
        "displayTags": rng.choice([[], ["fast"], ["expressive"]]),
        "isZdr": rng.random() < 0.5,
        "createdByOrganizationId": org,
        "createdAt": stamp(rng),
        "updatedAt": stamp(rng),
        "someNewField": 1,
    }


def make_llms() -> list[dict[str, Any]]:
    """Five LLMs: four global defaults (GPT-4o mini among them) and one the organisation deployed itself."""
    base: dict[str, Any] = {
        "llmFormat": "openai",
        "urls": [],
        "temperature": None,
        "maxTokens": None,
        "deploymentName": None,
        "apiVersion": None,
        "metadata": {},
        "displayTags": [],
        "isGlobal": True,
        "isZdr": False,
        "createdByOrganizationId": None,
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": None,
    }
    rows = [
        (GPT4O_MINI_LLM_ID, "GPT-4o mini", "gpt-4o-mini", "Fast, inexpensive OpenAI model.", True),
        (GPT4O_LLM_ID, "GPT-4o", "gpt-4o", "OpenAI's flagship multimodal model.", True),
        ("7736a22f-2d79-4720-952c-25fdca55ad40", "Kimi K2 Instruct", "kimi-k2-instruct-0905", None, True),
        ("1f8e3c0a-5d0b-4d7e-9f61-2b8c4e1a9d33", "Llama 3.3 70B", "llama-3.3-70b", "Open-weights model.", True),
        ("5b2d7e44-0c1f-4a3b-8e9d-6f7a8b9c0d1e", "My Azure GPT", "gpt-4o", "Our own deployment.", False),
    ]
    return [
        {**base, "id": i, "displayName": n, "modelName": m, "description": d, "isDefault": default}
        for i, n, m, d, default in rows
    ]
