"""Ranking and matching of catalogue searches (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass

from anam_mcp.search import index, normalise, rank


@dataclass(frozen=True)
class Item:
    name: str
    variant: str | None = None
    description: str | None = None


def search(items: list[Item], query: str | None) -> list[str]:
    entries = index(items, lambda i: (i.name, i.variant), lambda i: i.description)
    return [i.name for i in rank(entries, query)]


def test_normalise_folds_case_and_strips_accents() -> None:
    assert normalise("Zoë") == "zoe"
    assert normalise("  AMÉLIE ") == "amelie"
    assert normalise("Björn") == "bjorn"


def test_accent_insensitive_both_ways() -> None:
    items = [Item("Zoë"), Item("Zoe"), Item("Leo")]
    assert sorted(search(items, "zoe")) == ["Zoe", "Zoë"]
    assert sorted(search(items, "ZOË")) == ["Zoe", "Zoë"]


def test_exact_then_prefix_then_word_then_substring() -> None:
    items = [Item("Marcara"), Item("Cara Nova"), Item("Lucy Cara"), Item("Cara"), Item("Leo")]
    assert search(items, "cara") == ["Cara", "Cara Nova", "Lucy Cara", "Marcara"]


def test_variant_matches_and_name_plus_variant_is_exact() -> None:
    items = [Item("Liv", "home"), Item("Liv", "office"), Item("Leo", "home office")]
    assert search(items, "home") == ["Liv", "Leo"]
    assert search(items, "liv office") == ["Liv"]


def test_description_matches_rank_after_names() -> None:
    items = [Item("Zed", description="A calm British voice"), Item("Calm Carl")]
    assert search(items, "calm") == ["Calm Carl", "Zed"]


def test_no_query_lists_everything_alphabetically() -> None:
    items = [Item("b"), Item("A"), Item("c")]
    assert search(items, None) == ["A", "b", "c"]
    assert search(items, "") == ["A", "b", "c"]


def test_no_match_is_empty() -> None:
    assert search([Item("Cara")], "xyz") == []


def test_keep_filters_before_ranking() -> None:
    entries = index([Item("Cara", "x"), Item("Cara", "y")], lambda i: (i.name,))
    assert [i.variant for i in rank(entries, "cara", keep=lambda i: i.variant == "y")] == ["y"]
