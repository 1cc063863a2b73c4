"""A query of several words matches every word, in any order, and stays ranked (issue #12: 12d)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from anam_fake import FakeAnam
from anam_mcp.search import index, rank

from .helpers import in_memory
from .upstream_helpers import call, text

pytestmark = pytest.mark.anyio


@dataclass(frozen=True)
class Item:
    name: str
    description: str | None = None


def search(items: list[Item], query: str) -> list[str]:
    return [i.name for i in rank(index(items, lambda i: (i.name,), lambda i: i.description), query)]


def test_every_word_must_match_in_any_order() -> None:
    items = [Item("Calm Cara", "A British voice"), Item("Calm Leo", "An Irish voice"), Item("Zed", "British")]
    assert search(items, "british calm") == search(items, "calm british") == ["Calm Cara"]


def test_the_phrase_ranks_above_words_in_the_names_above_words_elsewhere() -> None:
    items = [Item("Calm British", None), Item("British Calm", None), Item("Calm Cara", "British")]
    assert search(items, "british calm") == ["British Calm", "Calm British", "Calm Cara"]


def test_one_word_with_punctuation_is_still_a_substring() -> None:
    items = [Item("GPT-4o mini"), Item("GPT-4o"), Item("4o GPT")]
    assert search(items, "gpt-4o") == ["GPT-4o", "GPT-4o mini"]


async def test_searching_voices_finds_the_same_voices_whatever_the_word_order(fake: FakeAnam) -> None:
    async with in_memory(fake) as client:
        found = {}
        for query in ("calm british", "british calm"):
            result = await call(client, "search_voices", {"query": query, "limit": 100})
            assert result.structured_content is not None, text(result)
            found[query] = {v["id"] for v in result.structured_content["items"]}
    assert found["british calm"] == found["calm british"]
    assert len(found["british calm"]) >= 10
