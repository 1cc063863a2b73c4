"""What people and models read: server instructions, the setup prompt, result summaries, error hints.

Plain functions over plain data, so the wording can be read and tested without MCP.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from .errors import AnamError, InvalidRequestError, NotFoundError

__all__ = ["INSTRUCTIONS", "SETUP_PROMPT", "arguments_text", "error_text", "search_summary", "token_summary"]

INSTRUCTIONS = """\
Anam renders real-time, talking digital personas in a web page. To start one, a page needs a short-lived
session token. Typical flow: search_avatars (a face) and search_voices (a voice), optionally list_llms
(the brain) or search_personas (a persona saved in Anam Lab), then create_session_token. The page passes
the token to Anam's JS SDK: createClient(sessionToken).streamToVideoElement('video-id')."""

SETUP_PROMPT = """\
Set up a real-time Anam persona session for: {persona}.

1. If I have a saved persona that fits, find it with search_personas and skip to step 5 with its id.
2. Call search_avatars (use query words for the look; stock_only=true for Anam's own) and pick one avatar.
   Note its available_models.
3. Call search_voices with a query for the voice's character and gender/country filters as fitting;
   pick one and mention its sample_url so I can listen.
4. Call list_llms and use the one marked is_used_by_default unless another fits better.
5. Call create_session_token: persona_id alone for a saved persona, otherwise avatar_id, voice_id, llm_id,
   a system_prompt written for this persona, and an avatar_model the avatar supports.
6. Show me the token and this snippet for my web page (the token expires in an hour, one session only):

   <video id="persona-video" autoplay playsinline></video>
   <script type="module">
     import {{ createClient }} from "https://esm.sh/@anam-ai/js-sdk";
     const client = createClient("SESSION_TOKEN");
     await client.streamToVideoElement("persona-video");
   </script>

Never ask me for or show the Anam API key: the server holds it."""

_SHOWN_NAMES = 5

# What to check when Anam rejects a token request, by error type.
_TOKEN_HINTS: dict[type[AnamError], str] = {
    NotFoundError: "Check persona_id, avatar_id, voice_id and llm_id: get valid ones from search_personas, "
    "search_avatars, search_voices and list_llms.",
    InvalidRequestError: "Check the arguments against the tool's description (avatar_model must be one the "
    "avatar supports: see available_models in search_avatars).",
}


def search_summary(kind: str, total: int, labels: Sequence[str], query: str | None, note: str | None = None) -> str:
    """How many matched and the first few names, e.g. "12 voices matching 'calm' (showing 5): ...", then the note."""
    about = f" matching {query!r}" if query else ""
    after = f" {note}" if note else ""
    if total == 0:
        return f"No {kind}s{about}.{after}"
    plural = "" if total == 1 else "s"
    shown = f" (showing {len(labels)})" if len(labels) < total else ""
    end = ", ..." if len(labels) > _SHOWN_NAMES else "."
    return f"{total} {kind}{plural}{about}{shown}: {', '.join(labels[:_SHOWN_NAMES])}{end}{after}"


def default_llm_text(name: str | None, reason: str) -> str:
    """Which LLM a persona without llm_id gets, in a sentence."""
    return f"Without llm_id, a persona gets {name or 'the LLM Anam chooses'} ({reason})."


# Codes people often use that are not ISO 3166-1 (the accent country of a voice).
COUNTRY_FIXES = {"UK": "GB", "EN": "GB", "USA": "US"}


def no_match_text(kind: str, fixes: Sequence[str], relaxed: Sequence[tuple[str, int]], everything: int) -> str:
    """Why a search found nothing, and what would: corrected codes, then filters to drop and how many then match."""
    tips = list(fixes)
    tips += [f"without {what}, {count} {kind}{'' if count == 1 else 's'} match" for what, count in relaxed if count]
    if not tips:
        tips.append(f"there are {everything} {kind}s in all; try other words or fewer filters")
    return "Nothing matched: " + "; ".join(tips) + "."


def token_summary(mode: str, defaults: Sequence[str], llm: str | None = None) -> str:
    what = "a saved persona" if mode == "persona" else "an ephemeral persona"
    filled = f"; defaults used for {', '.join(defaults)}" if defaults else ""
    after = f" {llm}" if llm else ""
    return (
        f"Created a session token for {what}{filled}. It is valid for one session within 1 hour: "
        f"pass it to createClient(sessionToken) in Anam's JS SDK.{after}"
    )


def error_text(exc: AnamError, *, token_request: bool = False) -> str:
    """The error's own message, plus what to check when it came from a token request."""
    hint = _TOKEN_HINTS.get(type(exc)) if token_request else None
    return f"{exc} {hint}" if hint else str(exc)


# Where a model finds a valid value for an id argument.
_SUPPLIERS = {
    "avatar_id": "search_avatars",
    "voice_id": "search_voices",
    "llm_id": "list_llms",
    "persona_id": "search_personas",
}
# What a text argument with a format looks like, in words (the schema's regex is no help to a person).
_FORMATS = {
    "country": "a two-letter ISO 3166-1 country code such as GB or US",
    "language_code": "a two-letter ISO 639-1 language code such as en or fr",
    "llm_id": "an LLM id (a UUID) or CUSTOMER_CLIENT_V1",
}


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
    name = str(loc[0])
    if kind == "extra_forbidden":
        return _unknown(name, list(fields))
    field = fields.get(name)
    low, high = _bounds(field)
    supplier = f" (get one from {_SUPPLIERS[name]})" if name in _SUPPLIERS else ""
    if kind == "missing":
        return f"{name} is required"
    if kind.startswith("uuid"):
        return f"{name} must be a UUID{supplier}"
    if kind == "string_pattern_mismatch":
        return f"{name} must be {_FORMATS.get(name, 'in the documented format')}{supplier}"
    if kind in ("literal_error", "enum"):
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
        return f"{name} must be one of {expected}"
    if kind == "string_type":
        return f"{name} must be text"
    if kind.startswith("bool"):
        return f"{name} must be true or false"
    if kind == "string_too_short":
        return f"{name} must not be empty"
    if kind == "string_too_long":
        return f"{name} must be at most {error.get('ctx', {}).get('max_length')} characters"
    if kind.startswith(("int", "greater", "less", "float")):
        whole = "a whole number" if kind.startswith("int") else "a number"
        return f"{name} must be {whole}{_range(low, high)}"
    return f"{name} {_message(error)}"


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
