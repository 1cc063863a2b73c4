"""The base of every Anam record: parsed leniently, so one odd entry never hides the rest of a list.

Unknown fields are ignored, and an optional field that is null or of the wrong type counts as absent.
Only a record without a usable id is dropped. Each area module declares the fields the server reads.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

__all__ = ["AnamModel", "Record", "listed", "parse_records", "prepare_parsing"]


class AnamModel(BaseModel):
    # defer_build: validators are built on first use (the first API answer), not while the server starts.
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True, defer_build=True
    )


class Record(AnamModel):
    """Anything listed by the API: it has an id."""

    id: str = Field(min_length=1)


RecordT = TypeVar("RecordT", bound=Record)

# Every record type that some listing returns (see pages.Listing), so the warm-up can build their validators.
_LISTED: set[type[Record]] = set()


def listed(model: type[RecordT]) -> type[RecordT]:
    """Note that lists of `model` are parsed, so `prepare_parsing` builds their validator ahead of time."""
    _LISTED.add(model)
    return model


def prepare_parsing() -> None:
    """Build the validators of every listed record type now (deferred at import, so the server starts faster)."""
    for model in _LISTED:
        _list_of(model)


@functools.cache
def _list_of(model: type[RecordT]) -> TypeAdapter[list[RecordT]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def parse_records(model: type[RecordT], raw: list[Any]) -> tuple[list[RecordT], int]:
    """The records in `raw` and how many were dropped. One validation call when all is well (the usual case)."""
    try:
        return _list_of(model).validate_python(raw), 0
    except ValidationError:
        pass
    records = [record for entry in raw if (record := _lenient(model, entry)) is not None]
    return records, len(raw) - len(records)


def _lenient(model: type[RecordT], entry: Any) -> RecordT | None:
    """`entry` as a record, with every unreadable field left out (so it takes its default); None if the id is bad."""
    while isinstance(entry, dict):
        try:
            return model.model_validate(entry)
        except ValidationError as exc:
            bad = {error["loc"][0] for error in exc.errors() if error["loc"]}
            if not bad or "id" in bad or not bad & entry.keys():
                return None
            entry = {key: value for key, value in entry.items() if key not in bad}
    return None
