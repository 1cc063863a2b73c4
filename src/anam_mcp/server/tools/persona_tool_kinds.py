"""The four kinds of persona tool as create_*_tool takes them: what each needs, how each is checked (a name
the persona's LLM can call, an https webhook, header lines, a JSON Schema), and the body each sends."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal
from uuid import UUID

from jsonschema import SchemaError
from jsonschema.validators import validator_for
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from ...api.persona_tools import KINDS
from ..arguments import Arguments, Supplier, not_boolean

__all__ = ["ClientToolArgs", "KnowledgeToolArgs", "NewPersonaTool", "SystemToolArgs", "WebhookToolArgs"]

_NAME = re.compile(r"[a-zA-Z0-9_.-]{1,64}")
_HEADER = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
_MAX_PARAMETERS_BYTES = 10_000
_SYSTEM_DESCRIPTIONS = {
    "end_call": "End the conversation when the user says goodbye or asks to stop.",
    "interrupt": "Stop speaking at once when the user interrupts.",
}


def _tool_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError("must be 1 to 64 letters, digits, _ . or - (no spaces), e.g. book_meeting")
    return name


def _https(url: str) -> str:
    if not re.fullmatch(r"https://[^\s/?#]+[^\s]*", url):
        raise ValueError("must be an https:// URL")
    return url


def _headers(headers: dict[str, str]) -> dict[str, str]:
    for header, value in headers.items():
        if not _HEADER.fullmatch(header):
            raise ValueError(f"{header!r} is not a header name (letters, digits and -)")
        if not value or "\r" in value or "\n" in value:
            raise ValueError(f"the value of {header} must be one line, not empty")
    return headers


def _json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    if schema.get("type") != "object":
        raise ValueError('must be a JSON Schema of an object ({"type": "object", "properties": {...}})')
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        raise ValueError(f"is not a valid JSON Schema: {exc.message}") from None
    if len(json.dumps(schema, separators=(",", ":")).encode()) > _MAX_PARAMETERS_BYTES:
        raise ValueError(f"must be at most {_MAX_PARAMETERS_BYTES:,} bytes as JSON")
    return schema


ToolNameArg = Annotated[
    str, Field(description="Its name for the persona's LLM, e.g. book_meeting."), AfterValidator(_tool_name)
]
ToolDescriptionArg = Annotated[
    str, Field(min_length=1, max_length=1024, description="When the persona should call it (its LLM reads this).")
]
AttachArg = Annotated[
    UUID | None,
    Field(description="A saved persona to give it to (keeps its other tools)."),
    Supplier("search_personas"),
]


class NewPersonaTool(Arguments):
    name: ToolNameArg
    description: ToolDescriptionArg

    def body(self) -> dict[str, Any]:
        """The JSON body for POST /v1/tools."""
        raise NotImplementedError


class WebhookToolArgs(NewPersonaTool):
    url: Annotated[str, Field(max_length=2048, description="https URL Anam calls."), AfterValidator(_https)]
    method: Annotated[Literal["GET", "POST", "PUT", "DELETE", "PATCH"], Field(description="HTTP method.")] = "POST"
    headers: Annotated[
        dict[str, str] | None, Field(description="Sent with each call; values never shown."), AfterValidator(_headers)
    ] = None
    body_template: Annotated[str | None, Field(min_length=1, max_length=10_000, description="Request body.")] = None
    attach_to_persona_id: AttachArg = None

    def body(self) -> dict[str, Any]:
        config = self.model_dump(
            by_alias=True, exclude_none=True, include={"url", "method", "headers", "body_template"}
        )
        return {"name": self.name, "description": self.description, "type": KINDS["webhook"], "config": config}


class KnowledgeToolArgs(NewPersonaTool):
    knowledge_base_ids: Annotated[
        list[UUID],
        Field(min_length=1, max_length=20, description="What it searches."),
        Supplier("list_knowledge_bases"),
    ]
    attach_to_persona_id: AttachArg = None

    def body(self) -> dict[str, Any]:
        config = {"documentFolderIds": [str(base_id) for base_id in self.knowledge_base_ids]}
        return {"name": self.name, "description": self.description, "type": KINDS["knowledge"], "config": config}


class ClientToolArgs(NewPersonaTool):
    parameters: Annotated[
        dict[str, Any] | None, Field(description="JSON Schema of what the LLM sends."), AfterValidator(_json_schema)
    ] = None
    await_result: Annotated[bool, Field(description="Wait for the page to answer.")] = False
    timeout_seconds: Annotated[
        float | None, Field(ge=1, le=600, description="How long (with await_result)."), BeforeValidator(not_boolean)
    ] = None
    attach_to_persona_id: AttachArg = None

    @model_validator(mode="after")
    def _timeout_needs_waiting(self) -> ClientToolArgs:
        if self.timeout_seconds is not None and not self.await_result:
            raise ValueError("timeout_seconds applies only with await_result true")
        return self

    def body(self) -> dict[str, Any]:
        config: dict[str, Any] = {"parameters": self.parameters} if self.parameters is not None else {}
        if self.await_result:
            config["awaitResult"] = True
        if self.timeout_seconds is not None:
            config["toolTimeoutSeconds"] = self.timeout_seconds
        return {"name": self.name, "description": self.description, "type": KINDS["client"], "config": config}


class SystemToolArgs(Arguments):
    action: Annotated[Literal["end_call", "interrupt"], Field(description="What the persona may do.")]
    attach_to_persona_id: AttachArg = None

    def body(self) -> dict[str, Any]:
        config = {"action": self.action}
        return {
            "name": self.action,
            "description": _SYSTEM_DESCRIPTIONS[self.action],
            "type": KINDS["system"],
            "config": config,
        }
