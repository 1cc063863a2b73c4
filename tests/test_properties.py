"""Property-based tests of create_session_token's inputs (hypothesis).

Whatever the arguments: if validation accepts them, the exact body Anam documents is sent (camelCase,
no nulls, values unchanged); if it rejects them, nothing is sent.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from pydantic import ValidationError

from anam_mcp.server import build_server
from anam_mcp.session import SessionTokenArgs

from .conftest import make_settings
from .fake_anam import FakeAnam, validate_session_body
from .openapi import session_request_validator

LLM = "0934d97d-0c3a-4f33-91b0-5e136a0ef466"

# Only what JSON can carry: a client would send inf or NaN as null.
junk = st.one_of(
    st.text(max_size=40), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none()
)
uuids = st.uuids().map(str)
texts = st.text(min_size=1, max_size=60)

# What each argument accepts; an ephemeral persona never has a persona_id.
VALID: dict[str, st.SearchStrategy[Any]] = {
    "name": texts,
    "avatar_id": st.one_of(uuids, uuids.map(str.upper)),
    "voice_id": uuids,
    "llm_id": st.one_of(uuids, st.just("CUSTOMER_CLIENT_V1"), st.from_regex(r"[A-Z][A-Z0-9_]{2,10}", fullmatch=True)),
    "system_prompt": texts,
    "avatar_model": st.sampled_from(["cara-3", "cara-4", "cara-4-latest"]),
    "max_session_length_seconds": st.integers(1, 86_400),
    "skip_greeting": st.booleans(),
    "language_code": st.from_regex(r"[a-z]{2}", fullmatch=True),
    "client_label": texts,
}
valid_arguments = st.one_of(
    st.fixed_dictionaries({}, optional=VALID),
    st.fixed_dictionaries({"persona_id": uuids}, optional={"client_label": texts}),
)
# Valid and invalid values mixed, including persona_id together with ephemeral fields.
arguments = st.fixed_dictionaries(
    {},
    optional={
        "persona_id": st.one_of(uuids, junk),
        **{name: st.one_of(strategy, junk) for name, strategy in VALID.items()},
        "name": st.one_of(st.text(max_size=120), junk),
        "max_session_length_seconds": st.one_of(st.integers(-5, 100_000), junk),
        "client_label": st.one_of(st.text(max_size=110), junk),
    },
)

CAMEL = {
    "name": "name",
    "avatar_id": "avatarId",
    "voice_id": "voiceId",
    "llm_id": "llmId",
    "system_prompt": "systemPrompt",
    "avatar_model": "avatarModel",
    "max_session_length_seconds": "maxSessionLengthSeconds",
    "language_code": "languageCode",
}


def accepted(args: dict[str, Any]) -> SessionTokenArgs | None:
    try:
        return SessionTokenArgs.model_validate(args, strict=False)
    except ValidationError:
        return None


def body_of(request: SessionTokenArgs) -> dict[str, Any]:
    if request.persona_id is not None:
        return request.token_body(None)
    return request.token_body(request.persona().with_defaults(LLM)[0])


@settings(max_examples=400, deadline=None)
@given(valid_arguments)
def test_accepted_arguments_make_exactly_the_documented_body(args: dict[str, Any]) -> None:
    request = accepted(args)
    assert request is not None, args
    body = body_of(request)
    session_request_validator().validate(body)
    assert validate_session_body(body) == []
    config = body["personaConfig"]
    assert None not in config.values()
    if request.persona_id is not None:
        assert config == {"personaId": str(UUID(str(args["persona_id"])))}
        return
    for arg, key in CAMEL.items():
        if args.get(arg) is not None and key in config and arg not in ("avatar_id", "voice_id"):
            # The value validation accepted (lax mode turns "60" into 60), sent unchanged.
            assert config[key] == getattr(request, arg), arg
    for arg in ("avatar_id", "voice_id"):
        if args.get(arg) is not None:
            assert config[CAMEL[arg]] == str(UUID(str(args[arg])))
    defaults = request.persona().with_defaults(LLM)[1]
    assert set(defaults) == {a for a in ("avatar_id", "voice_id", "llm_id") if args.get(a) is None}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(arguments, min_size=1, max_size=4))
def test_rejected_arguments_never_reach_anam_and_accepted_ones_do_once(batch: list[dict[str, Any]]) -> None:
    with FakeAnam() as fake, start_blocking_portal() as portal:
        persona_ids = [p["id"] for p in fake.catalogues["/v1/personas"]]
        avatar_ids = {a["id"] for a in fake.catalogues["/v1/avatars"]}
        voice_ids = {v["id"] for v in fake.catalogues["/v1/voices"]}
        client = portal.wrap_async_context_manager(Client(build_server(make_settings(fake))))
        with client as session:
            for args in batch:
                if "persona_id" in args and isinstance(args["persona_id"], str) and len(args["persona_id"]) == 36:
                    args = {**args, "persona_id": persona_ids[0]}  # a persona the fake knows
                before = len(fake.requests)
                result = portal.call(session.call_tool, "create_session_token", args)
                # The LLM list is read once, to choose the default LLM.
                sent = [r for r in fake.requests[before:] if r.path != "/v1/llms"]
                request = accepted(args)
                if request is None:
                    assert result.is_error
                    assert sent == []
                    continue
                assert [r.path for r in sent] == ["/v1/auth/session-token"]
                assert sent[0].body == body_of(request)
                config = sent[0].body["personaConfig"]
                unknown = config.get("avatarId") not in avatar_ids | {None} or config.get(
                    "voiceId"
                ) not in voice_ids | {None}
                gated = config.get("avatarModel") == "cara-4-latest"
                assert result.is_error is (unknown or gated)
