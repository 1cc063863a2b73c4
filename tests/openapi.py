"""Validators built from the vendored subset of Anam's OpenAPI spec (tests/data/anam-openapi-subset.json)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

SPEC = json.loads((Path(__file__).parent / "data" / "anam-openapi-subset.json").read_text(encoding="utf-8"))


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    # Refs point at #/components/schemas/...: give each root the components it refers to.
    return Draft202012Validator({**schema, "components": SPEC["components"]}, format_checker=FormatChecker())


@cache
def response_validator(operation: str) -> Draft202012Validator:
    return _validator(SPEC["responses"][operation])


@cache
def session_request_validator() -> Draft202012Validator:
    schema = copy.deepcopy(SPEC["requests"]["POST /v1/auth/session-token"])
    # The spec's personaConfig oneOf has no required fields and allows extra properties, so every
    # object matches both variants. Closing each variant to its documented fields makes it decidable.
    for variant in schema["properties"]["personaConfig"]["oneOf"]:
        variant["additionalProperties"] = False
    schema["additionalProperties"] = False
    return _validator(schema)


@cache
def request_validator(operation: str) -> Draft202012Validator:
    """The body `operation` documents, closed to its documented fields so that a misspelt one is caught."""
    schema = copy.deepcopy(SPEC["requests"][operation])
    schema["additionalProperties"] = False
    return _validator(schema)


@cache
def meeting_request_validator() -> Draft202012Validator:
    """POST /v1/meetings/invites, closed to its documented fields, its runtime personaConfig too (the spec lets
    that one take any field, so a misspelt one would pass)."""
    schema = copy.deepcopy(SPEC["requests"]["POST /v1/meetings/invites"])
    schema["additionalProperties"] = False
    config = copy.deepcopy(SPEC["components"]["schemas"]["MeetingInvitePersonaConfig"])
    config["additionalProperties"] = False
    schema["properties"]["personaConfig"] = config
    return _validator(schema)


def tool_request_validator() -> Draft202012Validator:
    """POST /v1/tools, closed like `request_validator`, with each variant of its `config` oneOf closed too: the
    client variant has no required field, so every config would otherwise match it and another."""
    schema = copy.deepcopy(SPEC["requests"]["POST /v1/tools"])
    for variant in schema["properties"]["config"]["oneOf"]:
        variant["additionalProperties"] = False
    schema["additionalProperties"] = False
    return _validator(schema)
