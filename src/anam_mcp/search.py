"""Text matching and ranking for catalogue searches: pure functions, no I/O.

Every entry carries its search text normalised once (lower case, accents stripped), so a warm
search is a scan of short strings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Indexed", "Rank", "index", "normalise", "rank"]

T = TypeVar("T")


def normalise(text: str) -> str:
    """Fold case and strip accents, so "Zoë" and "zoe" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


class Rank:
    """Match quality, best first. Lower is better so that sorting is ascending."""

    EXACT = 0
    PREFIX = 1
    WORD_PREFIX = 2
    SUBSTRING = 3
    SECONDARY = 4  # matched a lesser field only, such as a description
    ALL = 5  # no query: everything matches equally


@dataclass(frozen=True, slots=True)
class Indexed(Generic[T]):
    """A catalogue entry with its normalised primary names and secondary text."""

    item: T
    names: tuple[str, ...]
    secondary: str
    sort_key: str


def index(
    items: Iterable[T],
    names: Callable[[T], Sequence[str | None]],
    secondary: Callable[[T], str | None] = lambda _: None,
) -> list[Indexed[T]]:
    """Precompute normalised keys for `items`; `names` are ranked, `secondary` only matches."""
    out: list[Indexed[T]] = []
    for item in items:
        keys = tuple(normalise(n) for n in names(item) if n)
        joined = " ".join(keys)
        out.append(Indexed(item, keys + ((joined,) if len(keys) > 1 else ()), normalise(secondary(item) or ""), joined))
    return out


def _score(entry: Indexed[T], query: str) -> int | None:
    best: int | None = None
    for name in entry.names:
        if name == query:
            return Rank.EXACT
        if name.startswith(query):
            score = Rank.PREFIX
        elif f" {query}" in f" {name}" or any(w.startswith(query) for w in _words(name)):
            score = Rank.WORD_PREFIX
        elif query in name:
            score = Rank.SUBSTRING
        else:
            continue
        best = score if best is None else min(best, score)
    if best is None and query in entry.secondary:
        best = Rank.SECONDARY
    return best


def _words(name: str) -> list[str]:
    return [w for w in "".join(c if c.isalnum() else " " for c in name).split() if w]


def rank(entries: Iterable[Indexed[T]], query: str | None, keep: Callable[[T], bool] = lambda _: True) -> list[T]:
    """Entries that pass `keep` and match `query`, best match first, then alphabetically."""
    q = normalise(query) if query else ""
    scored: list[tuple[int, str, T]] = []
    for entry in entries:
        if not keep(entry.item):
            continue
        score = _score(entry, q) if q else Rank.ALL
        if score is not None:
            scored.append((score, entry.sort_key, entry.item))
    scored.sort(key=lambda s: (s[0], s[1]))
    return [item for _, _, item in scored]
