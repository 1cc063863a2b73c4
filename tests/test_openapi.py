"""The fake and the client checked against Anam's OpenAPI spec, so neither drifts from the real API."""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from uuid import UUID

import pytest

from anam_mcp.session import SessionTokenArgs

from .fake_anam import GPT4O_MINI_LLM_ID, FakeAnam, validate_session_body
from .openapi import response_validator, session_request_validator


def fetch(fake: FakeAnam, path: str) -> Any:
    request = urllib.request.Request(fake.url + path, headers={"Authorization": f"Bearer {fake.api_key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("path", ["/v1/avatars", "/v1/voices", "/v1/llms", "/v1/personas"])
def test_every_page_the_fake_serves_matches_the_spec(fake: FakeAnam, path: str) -> None:
    validator = response_validator(f"GET {path}")
    page, last = 1, 1
    while page <= last:
        body = fetch(fake, f"{path}?page={page}&perPage=100&includeDefaults=true")
        errors = [e.message for e in validator.iter_errors(body)]
        assert errors == [], f"{path} page {page}: {errors[:3]}"
        last = body["meta"]["lastPage"]
        page += 1
    assert page > 1


def test_the_fakes_session_token_answer_matches_the_spec(fake: FakeAnam) -> None:
    data = json.dumps({"personaConfig": {"voiceId": "6bfbe25a-979d-40f3-a92b-5394170af54b"}}).encode()
    request = urllib.request.Request(
        fake.url + "/v1/auth/session-token",
        data=data,
        headers={"Authorization": f"Bearer {fake.api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    response_validator("POST /v1/auth/session-token").validate(body)


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"persona_id": str(UUID(int=1))},
        {"persona_id": str(UUID(int=1)), "client_label": "web"},
        {
            "name": "Ada",
            "avatar_id": str(UUID(int=2)),
            "voice_id": str(UUID(int=3)),
            "llm_id": "CUSTOMER_CLIENT_V1",
            "system_prompt": "Hi",
            "avatar_model": "cara-4",
            "max_session_length_seconds": 60,
            "skip_greeting": True,
            "language_code": "de",
            "client_label": "x",
        },
    ],
    ids=["defaults", "persona", "persona+label", "everything"],
)
def test_client_bodies_match_the_spec_and_the_fake(arguments: dict[str, Any]) -> None:
    args = SessionTokenArgs.model_validate(arguments)
    body = args.token_body(None if args.persona_id else args.persona().with_defaults(GPT4O_MINI_LLM_ID)[0])
    session_request_validator().validate(body)
    assert validate_session_body(body) == []


def test_the_spec_check_catches_a_wrong_body() -> None:
    bad = {"personaConfig": {"avatarId": "x", "avatar_model": "cara-3"}}
    assert list(session_request_validator().iter_errors(bad))
    assert validate_session_body({"personaConfig": {"avatarId": None}}) != []
