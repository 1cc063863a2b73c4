"""What generated records are called: first names (with accents, as real ones have), settings and styles."""

from __future__ import annotations

import random

# fmt: off
FIRST_NAMES = (
    "Cara", "Liv", "Leo", "Zoë", "Amélie", "Björn", "Chloé", "Dmitri", "Eva", "Farah", "Gabriel", "Hana",
    "Isaac", "Jasmine", "Kenji", "Lucía", "Mateo", "Nadia", "Oscar", "Priya", "Quinn", "Rafael", "Sofia",
    "Tomás", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zara", "Maya", "Noah", "Olivia", "Jules", "Renée",
)
VARIANTS = ("home", "office", "window sofa corner", "studio", "garden", "kitchen", "library", "street")
VOICE_STYLES = (
    "Fresh & Casual", "Warm Narrator", "Calm", "Energetic", "Professional", "Friendly", "Deep", "Soft",
    "Confident", "Playful", "Newsreader", "Storyteller",
)
ACCENTS = {
    "GB": "British", "US": "American", "AU": "Australian", "IE": "Irish", "IN": "Indian", "FR": "French",
    "DE": "German", "ES": "Spanish", "IT": "Italian", "BR": "Brazilian", "JP": "Japanese", "NG": "Nigerian",
    "ZA": "South African", "CA": "Canadian",
}
# fmt: on
COUNTRIES = tuple(ACCENTS)
GENDERS = ("MALE", "FEMALE", "NEUTRAL")
PROVIDERS = ("CARTESIA", "ELEVENLABS", "OPENAI_ADVANCED_VOICE", "FISH_AUDIO")


def first_name(i: int) -> str:
    return FIRST_NAMES[i % len(FIRST_NAMES)]


def stamp(rng: random.Random) -> str:
    """A creation or update time in 2026, drawn from `rng`."""
    return f"2026-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00.000Z"
