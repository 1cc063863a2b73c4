"""Query words that name a filter (issue 17, item 12): "calm british female" finds the calm British female voices,
"cara-4" the avatars that support cara-4, and the result's note says how the query was read.

The property tests restate the rule here, without the server's code: a table word that no name starts with and
no description has as a word is read as its filter, unless that filter already holds another value. Reading a
query that way must give exactly what passing those filters explicitly, with the other words as the query, gives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import event, given, settings
from hypothesis import strategies as st
from mcp import Client

from anam_fake import FakeAnam, make_avatars, make_voices
from anam_mcp.query_words import AVATAR_WORDS, VOICE_WORDS, read_query
from anam_mcp.search import index, mentioned_in

from .helpers import call, in_memory

# -- reading, pure ------------------------------------------------------------------------------


def read(query: str, mentioned: frozenset[str] = frozenset(), **given: str) -> tuple[str | None, dict[str, str]]:
    reading = read_query(query, VOICE_WORDS, lambda phrase: phrase in mentioned, given)
    return reading.query, reading.filters


def test_gender_and_accent_words_are_read_as_filters_and_the_rest_is_searched() -> None:
    assert read("calm british female") == ("calm", {"country": "GB", "gender": "FEMALE"})
    assert read("Woman, Scottish, calm") == ("calm", {"gender": "FEMALE", "country": "GB"})
    assert read("south african men") == (None, {"country": "ZA", "gender": "MALE"})
    assert read("lucy - fresh woman") == ("lucy - fresh", {"gender": "FEMALE"})  # the rest as written
    assert read("calm narrator") == ("calm narrator", {})


def test_a_word_the_catalogue_mentions_is_searched_as_a_word() -> None:
    assert read("calm british female", mentioned=frozenset({"british"})) == ("calm british", {"gender": "FEMALE"})


def test_a_filter_given_or_already_read_wins_over_a_word_for_another_value() -> None:
    reading = read_query("female calm", VOICE_WORDS, lambda _: False, {"gender": "MALE"})
    assert (reading.query, reading.filters) == ("female calm", {})
    assert reading.note == "'female' is searched as a word, as gender is MALE."
    assert read("female calm", gender="FEMALE") == ("calm", {"gender": "FEMALE"})
    assert read("male female") == ("female", {"gender": "MALE"})


def test_the_note_says_how_the_query_was_read() -> None:
    reading = read_query("calm british female", VOICE_WORDS, lambda _: False, {})
    assert reading.note == "Read 'british' as country=GB, 'female' as gender=FEMALE."
    assert read_query("calm", VOICE_WORDS, lambda _: False, {}).note is None


def test_an_avatar_model_is_read_as_a_filter_on_available_models() -> None:
    reading = read_query("Cara cara-4", AVATAR_WORDS, lambda _: False, {})
    assert (reading.query, reading.filters) == ("cara", {"available_models": "cara-4"})
    latest = read_query("cara-4-latest", AVATAR_WORDS, lambda _: False, {})
    assert (latest.query, latest.filters) == (None, {"available_models": "cara-4-latest"})


@dataclass(frozen=True)
class Entry:
    name: str
    description: str | None = None


def test_mentioned_means_a_name_word_starting_with_it_or_a_whole_word_elsewhere() -> None:
    mentions = mentioned_in(
        index(
            [Entry("Manon - Calm", "A warm female voice"), Entry("Leo", "cara-4-latest")],
            lambda e: (e.name,),
            lambda e: e.description,
        )
    )
    assert mentions("man")  # a name starts with it: the user may mean Manon
    assert mentions("female") and mentions("warm female")
    assert not mentions("male")  # inside "female", not a word of its own
    assert not mentions("fem")  # only the start of a word in a description
    assert not mentions("cara-4")  # only part of "cara-4-latest"
    assert not mentions("calm voice")
    assert not mentioned_in([])("man")


# -- through the MCP client -----------------------------------------------------------------------

_ACCENT = re.compile(
    r"\b(?:British|American|Australian|Irish|Indian|French|German|Spanish|Italian|Brazilian|"
    r"Japanese|Nigerian|South African|Canadian|neutral) "
)


def accentless_voices() -> list[dict[str, Any]]:
    """The fake's voices, with descriptions that say nothing of the accent ("Calm voice for ...")."""
    voices = make_voices()
    for voice in voices:
        if voice["description"]:
            voice["description"] = _ACCENT.sub("", voice["description"])
    return voices


def ids(result: dict[str, Any]) -> list[str]:
    return [item["id"] for item in result["items"]]


@pytest.mark.anyio
async def test_calm_british_female_finds_calm_british_female_voices(fake: FakeAnam) -> None:
    async with in_memory(fake) as client:
        found = await call(client, "search_voices", {"query": "calm british female", "limit": 100})
        # The fake's descriptions say "British": that word is searched; no name or description says "female".
        assert found["total"] > 0
        assert {item["gender"] for item in found["items"]} == {"FEMALE"}
        assert "Read 'female' as gender=FEMALE." in found["note"]
        explicit = await call(client, "search_voices", {"query": "calm british", "gender": "female", "limit": 100})
        assert ids(found) == ids(explicit)


@pytest.mark.anyio
async def test_where_no_description_names_the_accent_british_is_read_as_country_gb() -> None:
    with FakeAnam(voices=accentless_voices()) as fake:
        async with in_memory(fake) as client:
            found = await call(client, "search_voices", {"query": "calm british female", "limit": 100})
            filtered = {"query": "calm", "country": "GB", "gender": "FEMALE", "limit": 100}
            explicit = await call(client, "search_voices", filtered)
    assert found["note"] == "Read 'british' as country=GB, 'female' as gender=FEMALE."
    assert found["total"] > 0 and ids(found) == ids(explicit)
    assert {(item["country"], item["gender"]) for item in found["items"]} == {("GB", "FEMALE")}


@pytest.mark.anyio
async def test_an_avatar_model_in_the_query_finds_the_avatars_that_support_it(fake: FakeAnam) -> None:
    supporting = {a["id"] for a in fake.catalogues["/v1/avatars"] if "cara-4" in a["availableVersions"]}
    async with in_memory(fake) as client:
        found = await call(client, "search_avatars", {"query": "cara-4", "limit": 100})
        caras = await call(client, "search_avatars", {"query": "cara cara-4", "limit": 100})
    assert found["total"] == len(supporting) > 0
    assert set(ids(found)) == supporting
    assert found["note"] == "Read 'cara-4' as available_models=cara-4."
    assert caras["items"] and all(
        i["display_name"] == "Cara" and "cara-4" in i["available_models"] for i in caras["items"]
    )


@pytest.mark.anyio
async def test_an_explicit_filter_wins_and_the_note_says_so(fake: FakeAnam) -> None:
    async with in_memory(fake) as client:
        found = await call(client, "search_voices", {"query": "female", "gender": "MALE"})
    assert found["total"] == 0
    assert found["note"].startswith("'female' is searched as a word, as gender is MALE. Nothing matched")


# -- the property: words read as filters = those filters passed explicitly -----------------------

VOICE_TABLE = {
    **dict.fromkeys(["female", "woman", "women", "girl"], ("gender", "FEMALE")),
    **dict.fromkeys(["male", "man", "men", "boy"], ("gender", "MALE")),
    "neutral": ("gender", "NEUTRAL"),
    **dict.fromkeys(["british", "english", "uk"], ("country", "GB")),
    **dict.fromkeys(["american", "usa", "us"], ("country", "US")),
    "french": ("country", "FR"),
    "irish": ("country", "IE"),
    "japanese": ("country", "JP"),
    "south african": ("country", "ZA"),
}
VOICE_TEXT = ["calm", "warm", "cara", "lucy", "voice", "fresh", "energetic", "crisp", "zzz"]
AVATAR_TABLE = {model: ("available_models", model) for model in ("cara-3", "cara-4", "cara-4-latest")}
AVATAR_TEXT = ["cara", "liv", "home", "office", "studio", "warm", "zoe", "zzz"]


def mentioned_by(words: Iterable[str], names: list[str], descriptions: list[str | None]) -> set[str]:
    """The `words` a catalogue mentions: a word of a name starts with it, or a description has it as a word."""
    names_text, descriptions_text = "\n".join(names).lower(), "\n".join(d for d in descriptions if d).lower()
    return {
        w
        for w in words
        if re.search(rf"(?<![\w-]){re.escape(w)}", names_text)
        or re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", descriptions_text)
    }


def expected_reading(
    words: list[str], table: dict[str, tuple[str, str]], mentioned: set[str], given: dict[str, str]
) -> tuple[str | None, dict[str, str]]:
    """The rule: which words act as filters, and the words left to search for."""
    filters: dict[str, str] = {}
    rest = []
    for word in words:
        meaning = table.get(word) if word not in mentioned else None
        held = (given.get(meaning[0]) or filters.get(meaning[0])) if meaning else None
        if meaning and held in (None, meaning[1]):
            filters[meaning[0]] = meaning[1]
        else:
            rest.append(word)
    return " ".join(rest) or None, filters


@dataclass(frozen=True)
class Served:
    fake: FakeAnam
    portal: BlockingPortal
    client: Client
    voice_words_mentioned: set[str]
    avatar_words_mentioned: set[str]

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """The structured result (the example tests above check it against the output schema)."""
        result = self.portal.call(self.client.call_tool, tool, arguments)
        structured: dict[str, Any] | None = result.structured_content
        assert not result.is_error and structured is not None, result.content
        return structured


@pytest.fixture(scope="module", params=["fake catalogue", "accentless descriptions"])
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    """One fake and one in-memory server for every example; searches are warm after the first."""
    voices = make_voices() if request.param == "fake catalogue" else accentless_voices()
    avatars = make_avatars()
    in_voices = mentioned_by(VOICE_TABLE, [v["displayName"] for v in voices], [v["description"] for v in voices])
    avatar_names = [f"{a['displayName']} {a['variantName']}" for a in avatars]
    in_avatars = mentioned_by(AVATAR_TABLE, avatar_names, [a["description"] for a in avatars])
    with (
        FakeAnam(voices=voices, avatars=avatars) as fake,
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(in_memory(fake)) as client,
    ):
        yield Served(fake, portal, client, in_voices, in_avatars)


voice_queries = st.lists(st.sampled_from([*VOICE_TABLE, *VOICE_TEXT]), min_size=1, max_size=4)
voice_filters = st.fixed_dictionaries(
    {}, optional={"gender": st.sampled_from(["MALE", "FEMALE", "NEUTRAL"]), "country": st.sampled_from(["GB", "US"])}
)


@settings(max_examples=150, deadline=None)
@given(words=voice_queries, explicit=voice_filters)
def test_voice_words_read_as_filters_find_what_the_filters_find(
    served: Served, words: list[str], explicit: dict[str, str]
) -> None:
    query, filters = expected_reading(words, VOICE_TABLE, served.voice_words_mentioned, explicit)
    found = served.call("search_voices", {"query": " ".join(words), **explicit, "limit": 100})
    rest = {"query": query} if query else {}
    passed = served.call("search_voices", {**rest, **explicit, **filters, "limit": 100})
    assert (found["total"], ids(found)) == (passed["total"], ids(passed))
    for name, value in filters.items():
        assert f" as {name}={value}" in found["note"]
    event(f"{len(filters)} filter(s) read, {'some' if found['total'] else 'no'} matches")


@st.composite
def avatar_queries(draw: st.DrawFn) -> list[str]:
    """Text words and at most one model: search_avatars has no model argument to pass a second one as."""
    words = draw(st.lists(st.sampled_from(AVATAR_TEXT), max_size=2))
    model = draw(st.sampled_from([None, *AVATAR_TABLE]))
    if model is not None:
        words.insert(draw(st.integers(0, len(words))), model)
    return words or ["cara"]


@settings(max_examples=100, deadline=None)
@given(words=avatar_queries(), stock_only=st.booleans())
def test_an_avatar_model_read_from_the_query_keeps_the_avatars_that_support_it(
    served: Served, words: list[str], stock_only: bool
) -> None:
    query, filters = expected_reading(words, AVATAR_TABLE, served.avatar_words_mentioned, {})
    found = served.call("search_avatars", {"query": " ".join(words), "stock_only": stock_only, "limit": 100})
    rest = {"query": query} if query else {}
    searched = served.call("search_avatars", {**rest, "stock_only": stock_only, "limit": 100})
    model = filters.get("available_models")
    kept = [item["id"] for item in searched["items"] if model is None or model in item["available_models"]]
    if searched["total"] <= len(searched["items"]):  # every match listed: the same items, in the same order
        assert ids(found) == kept and found["total"] == len(kept)
    else:  # the text search alone is cut at the limit: what it lists comes first, in the same order
        assert ids(found)[: len(kept)] == kept
    event(f"model {'read' if model else 'not read'}, {'some' if found['total'] else 'no'} matches")
