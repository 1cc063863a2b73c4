"""The JSON schemas a tool publishes for its argument and result models: compact, with no titles and no null
noise, and descriptions, constraints and `required` as pydantic makes them."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

__all__ = ["arguments_schema", "result_schema"]


class _CompactSchema(GenerateJsonSchema):
    """pydantic's JSON schema without its noise: no titles, a nullable field as `"type": [X, "null"]`, no
    `"default": null`. Descriptions, constraints and `required` stay as they are."""

    def field_title_should_be_set(self, schema: object) -> bool:
        return False

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        return _untitled(super().model_schema(schema))

    def enum_schema(self, schema: core_schema.EnumSchema) -> JsonSchemaValue:
        return _untitled(super().enum_schema(schema))

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        inner = self.generate_inner(schema["schema"])
        kind = inner.get("type")
        if not isinstance(kind, str) or kind == "null" or "const" in inner:
            return self.get_union_of_schemas([inner, {"type": "null"}])
        # Every other keyword (bounds, pattern, format) applies to its own type only, so null passes them.
        merged = {**inner, "type": [kind, "null"]}
        if "enum" in inner:
            merged["enum"] = [*inner["enum"], None]
        return merged

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if "default" in json_schema and json_schema["default"] is None:
            del json_schema["default"]
        return json_schema


class _InputSchema(_CompactSchema):
    """A compact schema for arguments: a field whose default is null is simply optional, without null."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        if schema.get("default", ...) is not None:
            return super().default_schema(schema)
        # Sending null and leaving the argument out are the same: one way to say it is enough.
        return _without_null(super().default_schema(schema))


def _untitled(json_schema: JsonSchemaValue) -> JsonSchemaValue:
    json_schema.pop("title", None)
    return json_schema


def _without_null(json_schema: JsonSchemaValue) -> JsonSchemaValue:
    kind = json_schema.get("type")
    if isinstance(kind, list) and "null" in kind:
        rest = [k for k in kind if k != "null"]
        json_schema["type"] = rest[0] if len(rest) == 1 else rest
        if "enum" in json_schema:
            json_schema["enum"] = [value for value in json_schema["enum"] if value is not None]
    elif "anyOf" in json_schema:
        options = [option for option in json_schema.pop("anyOf") if option != {"type": "null"}]
        json_schema = {**options[0], **json_schema} if len(options) == 1 else {"anyOf": options, **json_schema}
    return json_schema


@functools.cache
def arguments_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The input schema of a tool whose arguments are `model`'s fields."""
    schema = model.model_json_schema(schema_generator=_InputSchema)
    # The model's docstring is for the code's readers; the tool's description speaks to the model.
    schema.pop("description", None)
    return schema


@functools.cache
def result_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The output schema of a tool whose structured result is `model`."""
    return model.model_json_schema(schema_generator=_CompactSchema)
