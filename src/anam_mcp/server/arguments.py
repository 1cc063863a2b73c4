"""Tool arguments: the base every tool's argument model derives from, the argument types several areas share,
and the one translation of an argument's validation error into words a model can act on.

A tool's arguments are one pydantic model (a subclass of `Arguments`): the model is the input schema a
client sees, and validating it is all the checking a tool needs before it calls Anam. An id argument
names the tool that supplies it (`Supplier`), and a text argument with a format says it in words
(`Format`), so each error message can say where to get a valid value.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from pydantic import AliasGenerator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

__all__ = [
    "Arguments",
    "Format",
    "LimitArg",
    "PersonaIdArg",
    "QueryArg",
    "RefreshArg",
    "Supplier",
    "arguments_text",
    "lower",
    "not_boolean",
    "upper",
]


class Arguments(BaseModel):
    """Base of every tool's arguments: unknown names are refused, and an explicit null means the default.

    Field names are the tools' argument names (snake_case); dumping `by_alias` gives Anam's camelCase keys.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=AliasGenerator(serialization_alias=to_camel))

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        # Some clients send null for every argument they leave out.
        return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data


@dataclass(frozen=True, slots=True)
class Supplier:
    """Annotated metadata: the tool that gives valid values of this argument."""

    tool: str


@dataclass(frozen=True, slots=True)
class Format:
    """Annotated metadata: what a valid value looks like, in words (a regex is no help to a person)."""

    words: str


def upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def not_boolean(value: object) -> object:
    # JSON true is not a number, though Python would take it as 1. Placed after the Field in Annotated, so
    # that the bounds show in the schema as minimum and maximum.
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


QueryArg = Annotated[
    str | None, Field(max_length=200, description="Words to find, any case or accents. Omit to list all.")
]
LimitArg = Annotated[int, Field(ge=1, le=100, description="Most items to return."), BeforeValidator(not_boolean)]
PersonaIdArg = Annotated[
    UUID, Field(description="A saved persona, from search_personas or save_persona."), Supplier("search_personas")
]
RefreshArg = Annotated[bool, Field(description="Reload instead of using the cached copy.")]


def arguments_text(exc: ValidationError, fields: Mapping[str, FieldInfo]) -> str:
    """Every argument problem as a sentence: which argument, what is wrong, what is allowed, where to get one.

    `fields` are the tool's arguments. Rejected values are not echoed: they may be long or private.
    """
    problems = [_problem(error, fields).rstrip(".") for error in exc.errors(include_url=False, include_input=False)]
    return "Invalid arguments: " + "; ".join(dict.fromkeys(problems)) + "."


def _problem(error: ErrorDetails, fields: Mapping[str, FieldInfo]) -> str:
    kind, loc = error["type"], error["loc"]
    if not loc:  # a rule about several arguments, or not an object at all
        return "the arguments must be a JSON object" if kind == "model_type" else _message(error)
    name, field = str(loc[0]), fields.get(str(loc[0]))
    if len(loc) > 1:  # inside a list or an object: say where, e.g. sources[1].url
        name += "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc[1:])
        if kind == "extra_forbidden":
            return f"unknown field {name}"
        if not all(isinstance(part, int) for part in loc[1:]):
            field = None  # a field of an inner object: the argument's own supplier and format do not apply
    elif kind == "extra_forbidden":
        return _unknown(name, list(fields))
    supplier = _metadata(field, Supplier)
    where = f" (get one from {supplier.tool})" if supplier else ""
    if kind == "missing":
        return f"{name} is required"
    if kind.startswith("uuid"):
        return f"{name} must be a UUID{where}"
    if kind == "string_pattern_mismatch":
        shape = _metadata(field, Format)
        return f"{name} must be {shape.words if shape else 'in the documented format'}{where}"
    if kind in ("literal_error", "enum"):
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
        return f"{name} must be one of {expected}"
    if kind == "string_type":
        return f"{name} must be text"
    if kind.startswith("bool"):
        return f"{name} must be true or false"
    if kind == "string_too_short":
        shortest = error.get("ctx", {}).get("min_length", 1)
        return f"{name} must not be empty" if shortest == 1 else f"{name} must be at least {shortest} characters"
    if kind == "string_too_long":
        return f"{name} must be at most {error.get('ctx', {}).get('max_length')} characters"
    if kind.startswith(("int", "greater", "less", "float")):
        whole = "a whole number" if kind.startswith("int") else "a number"
        low, high = _bounds(field)
        return f"{name} must be {whole}{_range(low, high)}"
    return f"{name} {_message(error)}"


def _metadata(field: FieldInfo | None, kind: type[Any]) -> Any:
    return next((rule for rule in field.metadata if isinstance(rule, kind)), None) if field else None


def _message(error: ErrorDetails) -> str:
    return error["msg"].removeprefix("Value error, ")


def _unknown(name: str, known: Sequence[str]) -> str:
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()  # models often send camelCase
    near = [snake] if snake in known else difflib.get_close_matches(snake, known, n=1)
    if near:
        return f"unknown argument {name} (did you mean {near[0]}?)"
    return f"unknown argument {name} (the arguments are {', '.join(known)})"


def _bounds(field: FieldInfo | None) -> tuple[float | None, float | None]:
    low = high = None
    for rule in field.metadata if field else ():
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    return low, high


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" from {low:g} to {high:g}"
    if low is not None:
        return f" of at least {low:g}"
    return f" of at most {high:g}" if high is not None else ""
