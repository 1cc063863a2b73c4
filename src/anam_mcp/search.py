"""Text matching and ranking for catalogue searches: pure functions, no I/O.

Every entry carries its search text normalised once (lower case, accents stripped), so a warm search
is one substring test per entry, and only the entries that contain the query are ranked. A query of
several words also matches an entry that contains every word, in any order, ranked below the phrase.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Indexed", "Rank", "index", "mentioned_in", "normalise", "rank"]

T = TypeVar("T")

_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Fold case and strip accents, so "Zoë" and "zoe" compare equal."""
    if text.isascii():  # most names and descriptions: nothing to decompose
        return text.lower().strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


class Rank:
    """Match quality, best first. Lower is better so that sorting is ascending."""

    EXACT = 0
    PREFIX = 1
    WORD_PREFIX = 2
    SUBSTRING = 3
    WORDS = 4  # every word of the query is in the names, not as one phrase
    SECONDARY = 5  # matched with the help of a lesser field, such as a description


@dataclass(frozen=True, slots=True)
class Indexed(Generic[T]):
    """A catalogue entry with its normalised names, their words, and all its searchable text."""

    item: T
    names: tuple[str, ...]
    words: tuple[str, ...]
    name_text: str
    haystack: str
    sort_key: str


def index(
    items: Iterable[T],
    names: Callable[[T], Sequence[str | None]],
    secondary: Callable[[T], str | None] = lambda _: None,
) -> list[Indexed[T]]:
    """Precompute normalised keys for `items`; `names` are ranked, `secondary` text only matches."""
    out: list[Indexed[T]] = []
    for item in items:
        keys = tuple(normalise(n) for n in names(item) if n)
        joined = " ".join(keys)
        ranked = (*keys, joined) if len(keys) > 1 else keys
        words = tuple(w for key in keys for w in _NON_WORD.split(key) if w)
        name_text = "\n".join(ranked)
        haystack = f"{name_text}\n{normalise(secondary(item) or '')}"
        out.append(Indexed(item, ranked, words, name_text, haystack, joined))
    out.sort(key=lambda entry: entry.sort_key)  # so ranking only has to sort by score (a stable sort)
    return out


def _score(entry: Indexed[T], query: str) -> int:
    """How well `entry` matches `query`; the caller has checked that one of its names contains the query."""
    best = Rank.SUBSTRING
    for name in entry.names:
        if name == query:
            return Rank.EXACT
        if name.startswith(query):
            best = min(best, Rank.PREFIX)
    if best > Rank.WORD_PREFIX and any(w.startswith(query) for w in entry.words):
        best = Rank.WORD_PREFIX
    return best


def rank(entries: Iterable[Indexed[T]], query: str | None, keep: Callable[[T], bool] | None = None) -> list[T]:
    """Entries that pass `keep` and match `query`, best match first, then alphabetically.

    `entries` must come from `index`, which sorts them alphabetically.
    """
    q = normalise(query) if query else ""
    if not q:
        return [entry.item for entry in entries if keep is None or keep(entry.item)]
    words = _words(q)
    # One bucket per rank: entries arrive in alphabetical order, so no sort is needed.
    buckets: list[list[T]] = [[] for _ in range(Rank.SECONDARY + 1)]
    for entry in entries:
        haystack = entry.haystack
        if q in haystack:
            score = _score(entry, q) if q in entry.name_text else Rank.SECONDARY
        elif words and all(w in haystack for w in words):
            score = Rank.WORDS if all(w in entry.name_text for w in words) else Rank.SECONDARY
        else:
            continue
        if keep is None or keep(entry.item):
            buckets[score].append(entry.item)
    return [item for bucket in buckets for item in bucket]


def mentioned_in(entries: Iterable[Indexed[T]]) -> Callable[[str], bool]:
    """A test of whether some entry has a word that starts with a (normalised) phrase in its names, or has the
    phrase as whole words in its other text: a name "Manon" mentions "man"; a description "female voice" does not
    mention "male". The entries' texts are joined once, on the first test."""
    texts: list[str] = []

    def mentions(phrase: str) -> bool:
        if not texts:
            items = list(entries)
            texts.extend(("\n".join(e.name_text for e in items), "\n".join(e.haystack for e in items)))
        names, everything = texts
        return _starts_a_word(names, phrase, whole=False) or _starts_a_word(everything, phrase, whole=True)

    return mentions


def _starts_a_word(text: str, phrase: str, *, whole: bool) -> bool:
    """Whether `phrase` starts a word of `text` (and, if `whole`, ends one). A literal search, for speed: a regular
    expression with a lookbehind tests every position of the text."""
    at = text.find(phrase)
    while at >= 0:
        end = at + len(phrase)
        starts = at == 0 or not _is_word_char(text[at - 1])
        ends = end == len(text) or not _is_word_char(text[end])
        if starts and (ends or not whole):
            return True
        at = text.find(phrase, at + 1)
    return False


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in "_-"  # a hyphen joins words: "cara-4" is not a word of "cara-4-latest"


def _words(query: str) -> tuple[str, ...]:
    """The distinct words of a query of several words, longest (most telling) first; empty for one word."""
    if " " not in query:
        return ()
    words = sorted({w for w in _NON_WORD.split(query) if w}, key=len, reverse=True)
    return tuple(words) if len(words) > 1 else ()
