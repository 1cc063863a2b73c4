"""What every area checks in a request body the way Anam does: known fields of the documented types."""

from __future__ import annotations

from typing import Any

# The JSON types a body field may have: a Python type, or (int, float) for a number.
FieldTypes = dict[str, type | tuple[type, ...]]


def field_problems(
    obj: dict[str, Any], keys: FieldTypes, *, within: str = "", nullable: frozenset[str] = frozenset()
) -> list[str]:
    """Each field of `obj` that `keys` does not document or that has the wrong type (`obj` being the
    field `within` of the body, if given). null is wrong for every field outside `nullable`; true and false
    are not numbers."""
    problems: list[str] = []
    for key, value in obj.items():
        expected = keys.get(key)
        if expected is None:
            problems.append(f"{within}: unknown field {key}" if within else f"unknown field {key}")
            continue
        name = f"{within}.{key}" if within else key
        if value is None:
            if key not in nullable:
                problems.append(f"{name}: expected {type_name(expected)}, received null")
        elif not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            problems.append(f"{name}: expected {type_name(expected)}")
    return problems


def not_positive(value: object) -> bool:
    """True for a number at or below zero (anything else is left to the type check)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value <= 0


def type_name(expected: type | tuple[type, ...]) -> str:
    return "number" if isinstance(expected, tuple) else expected.__name__
