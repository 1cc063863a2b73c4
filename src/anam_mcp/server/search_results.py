"""What a search or a list returns, shared by every area that lists things: the total, the first `limit`
items, a note, and a one-line summary naming the first few; and, when nothing matched, what would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, Self, TypeVar, get_args

from mcp.types import CallToolResult
from pydantic import BaseModel, ConfigDict, Field

from .toolkit import result

__all__ = ["Item", "SearchResult", "explained", "listed_summary", "search_result"]

_SHOWN_NAMES = 5


class Item(BaseModel):
    """One listed thing, read from an API record by attribute name."""

    model_config = ConfigDict(from_attributes=True)

    @property
    def label(self) -> str:
        """How a summary line names this item."""
        raise NotImplementedError


ItemT = TypeVar("ItemT", bound=Item)


class SearchResult(BaseModel, Generic[ItemT]):
    kind: ClassVar[str]

    total: int = Field(description="How many matched in all.")
    returned: int = Field(description="How many are in items (at most limit).")
    items: list[ItemT]
    note: str | None = Field(default=None, description="An older copy served, a limit hit, or what would match.")

    @classmethod
    def of(cls, matches: Sequence[object], limit: int, note: str | None) -> Self:
        """The first `limit` of `matches` (API records, best first) as items, and how many matched in all."""
        (item_type,) = get_args(cls.model_fields["items"].annotation)
        items = [item_type.model_validate(match) for match in matches[:limit]]
        return cls(total=len(matches), returned=len(items), items=items, note=note)


def listed_summary(kind: str, total: int, labels: Sequence[str], query: str | None, note: str | None = None) -> str:
    """How many matched and the first few names, e.g. "12 voices matching 'calm' (showing 5): ...", then the note."""
    about = f" matching {query!r}" if query else ""
    after = f" {note}" if note else ""
    if total == 0:
        return f"No {kind}s{about}.{after}"
    plural = "" if total == 1 else "s"
    shown = f" (showing {len(labels)})" if len(labels) < total else ""
    end = ", ..." if len(labels) > _SHOWN_NAMES else "."
    return f"{total} {kind}{plural}{about}{shown}: {', '.join(labels[:_SHOWN_NAMES])}{end}{after}"


def search_result(found: SearchResult[Any], query: str | None, extra: str | None = None) -> CallToolResult:
    """A search's result, summarised: how many matched, the first few names, its note and `extra`."""
    labels = [item.label for item in found.items]
    note = " ".join(text for text in (found.note, extra) if text) or None
    return result(found, listed_summary(found.kind, found.total, labels, query, note))


_ResultT = TypeVar("_ResultT", bound=SearchResult[Any])


async def explained(
    found: _ResultT,
    criteria: Mapping[str, Any],
    count: Callable[[Mapping[str, Any]], Awaitable[int]],
    fixes: Sequence[str] = (),
) -> _ResultT:
    """`found`, with a note on what would match when nothing did: `count` runs on the warm catalogue (no
    requests) with each criterion dropped in turn, then with none."""
    if found.total:
        return found
    given = {name: value for name, value in criteria.items() if value}
    relaxed = [(f"{name} {value!r}", await count({**criteria, name: None})) for name, value in given.items()]
    everything = await count(dict.fromkeys(criteria))
    tips = list(fixes)
    tips += [f"without {what}, {_count(n, found.kind)} {'matches' if n == 1 else 'match'}" for what, n in relaxed if n]
    if not tips:
        there = "there is" if everything == 1 else "there are"
        tips.append(f"{there} {_count(everything, found.kind)} in all; try other words or fewer filters")
    why = "Nothing matched: " + "; ".join(tips) + "."
    return found.model_copy(update={"note": f"{found.note} {why}" if found.note else why})


def _count(n: int, kind: str) -> str:
    """ "1 voice", "3 voices"."""
    return f"{n} {kind}{'' if n == 1 else 's'}"
