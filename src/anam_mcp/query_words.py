"""Query words that name a filter: "calm british female" finds the calm voices among the British female ones.

A word (or two-word phrase) from one of the tables below acts as its filter when the catalogue does not
mention it: when no name has a word that starts with it and no description has it as a word. Where a
catalogue's descriptions do say "British", "british" stays a word to search for, as before. A filter given
explicitly wins: a word naming another value for it stays a word to search for, and so does a second word
for a filter already read. Pure: the caller says what the catalogue mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import get_args

from .constants import AvatarModel
from .search import normalise

__all__ = ["AVATAR_WORDS", "VOICE_WORDS", "Meaning", "Reading", "read_query"]

Meaning = tuple[str, str]  # the filter a word names and its value, e.g. ("country", "GB")


def _meaning(name: str, words: Mapping[str, tuple[str, ...]]) -> dict[str, Meaning]:
    return {word: (name, value) for value, spelled in words.items() for word in spelled}


_GENDERS = {
    "FEMALE": ("female", "females", "woman", "women", "girl", "girls", "lady", "ladies", "feminine"),
    "MALE": ("male", "males", "man", "men", "boy", "boys", "guy", "guys", "gentleman", "masculine"),
    "NEUTRAL": ("neutral", "non-binary", "nonbinary", "androgynous", "gender-neutral"),
}
# Accents by the ISO 3166-1 code a voice's `country` holds.
_COUNTRIES = {
    "GB": ("british", "english", "uk", "england", "britain", "scottish", "scotland", "welsh", "wales"),
    "US": ("american", "us", "usa", "america"),
    "FR": ("french", "france"),
    "AU": ("australian", "australia", "aussie"),
    "IE": ("irish", "ireland"),
    "IN": ("indian", "india"),
    "DE": ("german", "germany"),
    "ES": ("spanish", "spain"),
    "IT": ("italian", "italy"),
    "BR": ("brazilian", "brazil"),
    "PT": ("portuguese", "portugal"),
    "MX": ("mexican", "mexico"),
    "JP": ("japanese", "japan"),
    "CN": ("chinese", "china"),
    "KR": ("korean", "korea"),
    "NL": ("dutch", "netherlands"),
    "SE": ("swedish", "sweden"),
    "NG": ("nigerian", "nigeria"),
    "ZA": ("south african", "south africa"),
    "CA": ("canadian", "canada"),
    "NZ": ("new zealand",),
}

VOICE_WORDS: Mapping[str, Meaning] = {**_meaning("gender", _GENDERS), **_meaning("country", _COUNTRIES)}
AVATAR_WORDS: Mapping[str, Meaning] = {model: ("available_models", model) for model in get_args(AvatarModel)}

# A word, hyphens included ("cara-4-latest", "non-binary"), and the separators after it (cut with it).
_WORD = re.compile(r"(\w+(?:-\w+)*)[\s,;]*")
_LONGEST = 2  # words in the longest phrase of a table ("south african")


@dataclass(frozen=True, slots=True)
class Reading:
    """A query, read: the words left to search for (None if none are) and the filters its other words name."""

    query: str | None
    filters: dict[str, str] = field(default_factory=dict)
    note: str | None = None  # how the query was read, for the result's note


def read_query(
    query: str | None,
    words: Mapping[str, Meaning],
    mentioned: Callable[[str], bool],
    given: Mapping[str, str | None],
) -> Reading:
    """Read as filters the words of `query` that `words` names, unless the catalogue has them (`mentioned`) or
    the filter already holds another value (`given` explicitly, or an earlier word). The other words are left
    as they were written, normalised."""
    if not query or not words:
        return Reading(query)
    text = normalise(query)
    found = list(_WORD.finditer(text))
    filters: dict[str, str] = {}
    read: list[str] = []
    kept: list[str] = []
    rest: list[str] = []
    done = 0  # the end of the text already cut or kept
    i = 0
    while i < len(found):
        for size in range(min(_LONGEST, len(found) - i), 0, -1):
            phrase = " ".join(match.group(1) for match in found[i : i + size])
            if phrase in words and not mentioned(phrase):
                break
        else:
            i += 1
            continue
        name, value = words[phrase]
        held = given.get(name) or filters.get(name)
        if held is None or held == value:
            filters[name] = value
            read.append(f"{phrase!r} as {name}={value}")
            rest.append(text[done : found[i].start()])
            done = found[i + size - 1].end()
        else:
            kept.append(f"{phrase!r} is searched as a word, as {name} is {held}.")
        i += size
    if not read:
        return Reading(query, note=" ".join(kept) or None)
    rest.append(text[done:])
    note = " ".join([f"Read {', '.join(read)}.", *kept])
    return Reading("".join(rest).strip(" ,;") or None, filters, note)
