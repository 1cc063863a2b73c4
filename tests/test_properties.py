"""Property-based test of create_session_token's inputs (hypothesis), against rules written down here.

The rules below restate the tool's contract without using the server's code: what each argument
accepts, how the two modes combine, and the exact body Anam then receives. Hypothesis mixes valid and
invalid values, and the server, called in memory, must agree with the rules: an accepted call sends
exactly the expected body once; a refused one is an error result and sends nothing.

The generated values stay clear of what a lax reading takes for something else: numeric text for the
number and "yes", "on" or 0/1 for the boolean (read leniently).
"""

from __future__ import annotations

import string
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import event, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp.types import CallToolResult

from anam_fake import (
    CARA_AVATAR_ID,
    CARA_VOICE_ID,
    GPT4O_MINI_LLM_ID,
    FakeAnam,
    RecordedRequest,
    make_avatars,
    make_personas,
)

from .helpers import in_memory, text
from .openapi import session_request_validator

# -- the rules ----------------------------------------------------------------------------------

AVATAR_MODELS = ("cara-3", "cara-4", "cara-4-latest")
UPPER_SNAKE = set(string.ascii_uppercase + string.digits + "_")
LOWER = set(string.ascii_lowercase)
# Argument -> Anam's personaConfig key, for the persona fields.
PERSONA_KEYS = {
    "name": "name",
    "avatar_id": "avatarId",
    "voice_id": "voiceId",
    "system_prompt": "systemPrompt",
    "llm_id": "llmId",
    "avatar_model": "avatarModel",
    "skip_greeting": "skipGreeting",
    "language_code": "languageCode",
    "max_session_length_seconds": "maxSessionLengthSeconds",
}
# The defaults the tool's schema advertises: giving one is the same as leaving the argument out.
ARGUMENT_DEFAULTS: dict[str, Any] = {"avatar_model": "cara-3", "skip_greeting": False}
# What an ephemeral persona gets for a left-out id: Anam's stock Cara avatar and voice, the server's default LLM.
STOCK = {"avatar_id": CARA_AVATAR_ID, "voice_id": CARA_VOICE_ID, "llm_id": GPT4O_MINI_LLM_ID}


def is_uuid(value: object) -> bool:
    """The 8-4-4-4-12 hex form, in either case."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    groups = value.split("-")
    return [len(g) for g in groups] == [8, 4, 4, 4, 12] and all(c in string.hexdigits for c in "".join(groups))


def is_text(value: object, most: int) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= most


def is_llm_id(value: object) -> bool:
    """A UUID, or a literal such as CUSTOMER_CLIENT_V1: an uppercase letter, then uppercase, digits, _ (3-64)."""
    if is_uuid(value):
        return True
    return (
        isinstance(value, str)
        and 3 <= len(value) <= 64
        and value[0] in string.ascii_uppercase
        and set(value) <= UPPER_SNAKE
    )


def is_seconds(value: object) -> bool:
    """A whole number of seconds, 1 to 86,400 (a JSON number without a fraction, such as 60.0, is whole)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return float(value).is_integer() and 1 <= value <= 86_400


ACCEPTS: dict[str, Any] = {
    "persona_id": is_uuid,
    "name": lambda v: is_text(v, 100),
    "avatar_id": is_uuid,
    "voice_id": is_uuid,
    "system_prompt": lambda v: is_text(v, 32_000),
    "llm_id": is_llm_id,
    "avatar_model": lambda v: v in AVATAR_MODELS,
    "skip_greeting": lambda v: isinstance(v, bool),
    "language_code": lambda v: isinstance(v, str) and len(v.strip()) == 2 and set(v.strip().lower()) <= LOWER,
    "max_session_length_seconds": is_seconds,
    "client_label": lambda v: is_text(v, 100),
}


def left_out(name: str, value: object) -> bool:
    """Null, or the advertised default, means the argument was not given."""
    return value is None or (name in ARGUMENT_DEFAULTS and value == ARGUMENT_DEFAULTS[name])


def expected_body(arguments: dict[str, Any]) -> dict[str, Any] | None:
    """The body Anam must receive for these arguments, or None if the tool must refuse them."""
    if any(name not in ACCEPTS or not ACCEPTS[name](value) for name, value in arguments.items() if value is not None):
        return None
    present = {name: value for name, value in arguments.items() if not left_out(name, value)}
    body: dict[str, Any] = {}
    if "persona_id" in present:
        if set(present) - {"persona_id", "client_label"}:
            return None  # a saved persona goes alone
        body["personaConfig"] = {"personaId": str(uuid.UUID(present["persona_id"]))}
    else:
        config = ARGUMENT_DEFAULTS | STOCK | present
        for name in ("avatar_id", "voice_id"):
            config[name] = str(uuid.UUID(config[name]))  # sent in the canonical lowercase form
        if "language_code" in config:
            config["language_code"] = config["language_code"].strip().lower()  # any case, sent in lower case
        if "max_session_length_seconds" in config:
            config["max_session_length_seconds"] = int(config["max_session_length_seconds"])
        body["personaConfig"] = {key: config[name] for name, key in PERSONA_KEYS.items() if name in config}
    if "client_label" in present:
        body["clientLabel"] = present["client_label"]
    return body


def defaults_applied(arguments: dict[str, Any]) -> set[str]:
    if arguments.get("persona_id") is not None:
        return set()
    return {name for name in STOCK if arguments.get(name) is None}


# -- the values ---------------------------------------------------------------------------------

PERSONAS = [p["id"] for p in make_personas()]  # the fake's saved personas
AVATARS = [a["id"] for a in make_avatars()[:5]]


def numeric(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


LAX_BOOLEANS = {"0", "1", "f", "t", "n", "y", "no", "on", "off", "yes", "true", "false"}


def texts(least: int = 0, most: int = 40) -> st.SearchStrategy[str]:
    return st.text(min_size=least, max_size=most)


uuids = st.uuids().map(str)
not_text = st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.lists(texts()))
junk = st.one_of(texts(), not_text)

VALID: dict[str, st.SearchStrategy[Any]] = {
    "persona_id": st.one_of(st.sampled_from(PERSONAS), st.sampled_from(PERSONAS).map(str.upper), uuids),
    "name": st.one_of(texts(1, 40), texts(100, 100)),
    "avatar_id": st.one_of(st.sampled_from(AVATARS), st.sampled_from(AVATARS).map(str.upper), uuids),
    "voice_id": st.one_of(st.just(CARA_VOICE_ID), uuids),
    "system_prompt": st.one_of(texts(1, 60), st.just("x" * 32_000)),
    "llm_id": st.one_of(
        uuids, st.from_regex(r"[A-Z][A-Z0-9_]{2,63}", fullmatch=True), st.sampled_from(["ABC", "A" * 64])
    ),
    "avatar_model": st.sampled_from(AVATAR_MODELS),
    "skip_greeting": st.booleans(),
    "language_code": st.from_regex(r"[a-zA-Z]{2}", fullmatch=True),
    "max_session_length_seconds": st.one_of(
        st.sampled_from([1, 86_400]), st.integers(1, 86_400), st.integers(1, 86_400).map(float)
    ),
    "client_label": st.one_of(texts(1, 40), texts(100, 100)),
}
INVALID: dict[str, st.SearchStrategy[Any]] = {
    "persona_id": junk,
    "name": st.one_of(st.just(""), texts(101, 110), not_text),
    "avatar_id": junk,
    "voice_id": junk,
    "system_prompt": st.one_of(st.sampled_from(["", "x" * 32_001]), not_text),
    "llm_id": st.one_of(st.sampled_from(["AB", "A" * 65, "gpt-4o-mini", "1ABC", "ABC-D", "Abc"]), junk),
    "avatar_model": junk,
    "skip_greeting": st.one_of(
        texts().filter(lambda s: s.lower() not in LAX_BOOLEANS),
        st.integers(min_value=2),
        st.integers(max_value=-1),
        st.lists(st.booleans()),
    ),
    "language_code": st.one_of(st.sampled_from(["eng", "e", "e1"]), junk),
    "max_session_length_seconds": st.one_of(
        st.sampled_from([0, 86_401]),
        st.integers(max_value=0),
        st.integers(min_value=86_401),
        st.integers(-100, 100_000).map(lambda n: n + 0.5),
        texts().filter(lambda s: not numeric(s)),
        st.lists(st.integers()),
    ),
    "client_label": st.one_of(st.just(""), texts(101, 110), not_text),
}
UNKNOWN = {"avatarId": st.one_of(uuids, st.none()), "temperature": st.floats(0, 1), "voice": texts()}

PERSONA_FIELDS = [name for name in VALID if name not in ("persona_id", "client_label")]
valid_ephemeral = st.fixed_dictionaries({}, optional={name: VALID[name] for name in [*PERSONA_FIELDS, "client_label"]})
valid_saved = st.fixed_dictionaries(
    {"persona_id": VALID["persona_id"]},
    optional={
        "client_label": VALID["client_label"],
        "avatar_model": st.just("cara-3"),
        "skip_greeting": st.just(False),
    },
)


@st.composite
def one_invalid(draw: st.DrawFn) -> dict[str, Any]:
    """Valid arguments but for one: so that no other refusal hides whether that one is refused."""
    name = draw(st.sampled_from(sorted(INVALID)))
    valid = st.fixed_dictionaries({}, optional={"client_label": VALID["client_label"]})
    return draw(valid if name == "persona_id" else valid_ephemeral) | {name: draw(INVALID[name])}


@st.composite
def saved_and_a_persona_field(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(PERSONA_FIELDS))
    return draw(valid_saved) | {name: draw(VALID[name])}


# Anything: each argument left out, null, valid or not, and unknown names.
mixed = st.fixed_dictionaries({}, optional={n: st.one_of(st.none(), VALID[n], INVALID[n]) for n in VALID} | UNKNOWN)


# -- the checks --------------------------------------------------------------------------------


def check(fake: FakeAnam, args: dict[str, Any], result: CallToolResult, sent: list[RecordedRequest]) -> str:
    """Assert that the server did with `args` what the rules say; return what happened."""
    body = expected_body(args)
    sent = [r for r in sent if (r.method, r.path) != ("GET", "/v1/llms")]  # the default LLM is looked up there
    if body is None:
        assert result.is_error, f"{args} accepted: {text(result)}"
        assert sent == [], args
        return "refused"
    assert [(r.method, r.path) for r in sent] == [("POST", "/v1/auth/session-token")], f"{args}: {text(result)}"
    assert sent[0].body == body, args
    session_request_validator().validate(sent[0].body)
    config = body["personaConfig"]
    known = {
        "personaId": PERSONAS,
        "avatarId": [a["id"] for a in fake.catalogues["/v1/avatars"]],
        "voiceId": [v["id"] for v in fake.catalogues["/v1/voices"]],
    }
    refused_by_anam = any(key in config and config[key] not in ids for key, ids in known.items()) or (
        config.get("avatarModel") == "cara-4-latest"  # the fake's account is not entitled to it
    )
    assert result.is_error is refused_by_anam, f"{args}: {text(result)}"
    if refused_by_anam:
        return "sent, then refused by Anam"
    assert result.structured_content is not None
    assert result.structured_content["mode"] == ("persona" if "personaId" in config else "ephemeral")
    assert set(result.structured_content["defaults_applied"]) == defaults_applied(args)
    return "sent, token minted"


P = PERSONAS[0]
# Each side of every limit, and the near misses a regular expression might let through.
EDGES: list[dict[str, Any]] = [
    *({"name": v} for v in ("n", "n" * 100, "", "n" * 101)),
    *({"system_prompt": v} for v in ("x", "x" * 32_000, "", "x" * 32_001)),
    *({"client_label": v} for v in ("l", "l" * 100, "", "l" * 101)),
    *({"llm_id": v} for v in ("ABC", "A" * 64, "A_1", "AB", "A" * 65, "1ABC", "Abc", "ABC-D", "ABC\n", "gpt-4o-mini")),
    *({"llm_id": v} for v in (GPT4O_MINI_LLM_ID, GPT4O_MINI_LLM_ID[:-1], GPT4O_MINI_LLM_ID + "\n")),
    *({"language_code": v} for v in ("en", "zz", "EN", "eng", "e", "e1", "en\n", "")),
    *({"max_session_length_seconds": v} for v in (1, 86_400, 60.0, 0, 86_401, -1, 0.5, 86_400.5)),
    *({"avatar_model": v} for v in (*AVATAR_MODELS, "cara-9", "CARA-3", "cara-3 ", "")),
    *({"skip_greeting": v} for v in (True, False, "maybe", 2, [True])),
    *({"avatar_id": v} for v in (CARA_AVATAR_ID, CARA_AVATAR_ID.upper(), CARA_AVATAR_ID[:-1], CARA_AVATAR_ID + "0")),
    *({"voice_id": v} for v in (CARA_VOICE_ID, f" {CARA_VOICE_ID}", CARA_VOICE_ID.replace("-", "_"), 7)),
    *({"persona_id": v} for v in (P, P.upper(), P[:-1], "")),
    {"avatarId": CARA_AVATAR_ID},
    {"voice": "Cara"},
    {"avatarId": None},
    *({"persona_id": P, name: v} for name, v in (("client_label", "web"), ("avatar_model", "cara-3"))),
    *({"persona_id": P, name: v} for name, v in (("skip_greeting", False), ("language_code", None))),
    *({"persona_id": P, name: v} for name, v in (("avatar_model", "cara-4"), ("skip_greeting", True))),
    *({"persona_id": P, name: v} for name, v in (("language_code", "en"), ("max_session_length_seconds", 60))),
    *({"persona_id": P, name: v} for name, v in (("avatar_id", CARA_AVATAR_ID), ("name", "Cara"))),
]


@pytest.mark.anyio
async def test_the_server_agrees_with_the_rules_at_every_edge(client: Client, fake: FakeAnam) -> None:
    for args in EDGES:
        before = len(fake.requests)
        result = await client.call_tool("create_session_token", args)
        check(fake, args, result, fake.requests[before:])


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeAnam, BlockingPortal, Client]]:
    """One fake and one in-memory server for every example: each call is checked by its own requests."""
    with (
        FakeAnam() as fake,
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(in_memory(fake)) as client,
    ):
        yield fake, portal, client


@settings(max_examples=300, deadline=None)
@given(st.one_of(valid_ephemeral, valid_saved, one_invalid(), saved_and_a_persona_field(), mixed))
def test_the_server_agrees_with_the_rules_on_any_arguments(
    served: tuple[FakeAnam, BlockingPortal, Client], args: dict[str, Any]
) -> None:
    fake, portal, client = served
    before = len(fake.requests)
    result = portal.call(client.call_tool, "create_session_token", args)
    event(check(fake, args, result, fake.requests[before:]))
