"""What people and models read: server instructions, prompts, result summaries, error hints, questions.

Plain functions over plain data, so the wording can be read and tested without MCP.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from .errors import AnamError, InvalidRequestError, NotFoundError

if TYPE_CHECKING:
    from .persona import LlmChoice

__all__ = [
    "COUNTRY_FIXES",
    "IMPROVE_PROMPT",
    "INSTRUCTIONS",
    "NO_SESSIONS",
    "PERSONA_HINTS",
    "SAVE_HINTS",
    "SESSION_HINTS",
    "SETUP_PROMPT",
    "TOKEN_HINTS",
    "UPDATE_HINTS",
    "Hints",
    "arguments_text",
    "default_llm_text",
    "delete_question",
    "deleted_summary",
    "error_text",
    "no_match_text",
    "persona_summary",
    "saved_summary",
    "search_summary",
    "share_link_summary",
    "token_summary",
    "transcript_note",
    "transcript_summary",
    "updated_summary",
]

INSTRUCTIONS = """\
Anam renders real-time, talking digital personas in a web page. To start one, a page needs a short-lived
session token. Typical flow: search_avatars (a face) and search_voices (a voice), optionally list_llms
(the brain) or search_personas (a persona saved in Anam Lab), then create_session_token. The page passes
the token to Anam's JS SDK: createClient(sessionToken).streamToVideoElement('video-id').
To keep a persona and let people try it without code: save_persona, then create_share_link (a URL to open
in a browser). Afterwards list_sessions and get_session_transcript show how its conversations went, and
update_persona improves it (get_persona shows it, delete_persona removes it)."""

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

IMPROVE_PROMPT = """\
Help me improve my saved Anam persona {persona_id} from how its recent conversations went.

1. Call get_persona with persona_id={persona_id}. Note its name and its current system_prompt.
2. Call list_sessions with persona_id={persona_id} and limit=5 (newest first). If there are none, say so,
   offer create_share_link so I can talk to it in a browser first, and stop.
3. Call get_session_transcript for the newest sessions, up to three. Skip a session whose note says
   transcripts were disabled, and say when a transcript was cut short.
4. From the transcripts, list what worked and what went wrong (misunderstandings, answers too long or off
   topic, questions it could not answer, a goal it missed), each with a short quote as evidence.
5. Propose a revised system prompt that fixes those problems and keeps what works. Show the change as a
   unified diff against the current system prompt (lines starting with - and +), then explain each change
   in one line.
6. Ask me whether to apply it, and wait for my answer. Only after I agree, call update_persona with
   persona_id={persona_id} and system_prompt set to the whole new prompt (not the diff), then call
   get_persona to confirm the change.
7. Offer create_share_link so I can try the improved persona."""

_SHOWN_NAMES = 5

# What to check when Anam rejects a request, by error type; one table per kind of request.
Hints = Mapping[type[AnamError], str]

_CHECK_ARGUMENTS = (
    "Check the arguments against the tool's description (avatar_model must be one the avatar supports: "
    "see available_models in search_avatars)."
)
_CHECK_PERSONA = (
    "Check avatar_id, voice_id and llm_id (valid ones come from search_avatars, search_voices and list_llms), "
    "and that avatar_model is one the avatar supports (available_models in search_avatars)."
)
TOKEN_HINTS: Hints = {
    NotFoundError: "Check persona_id, avatar_id, voice_id and llm_id: get valid ones from search_personas, "
    "search_avatars, search_voices and list_llms.",
    InvalidRequestError: _CHECK_ARGUMENTS,
}
SAVE_HINTS: Hints = {NotFoundError: _CHECK_PERSONA, InvalidRequestError: _CHECK_PERSONA}
PERSONA_HINTS: Hints = {
    NotFoundError: "No saved persona has this persona_id (it may have been deleted): search_personas lists "
    "your saved personas and their ids.",
}
UPDATE_HINTS: Hints = {
    NotFoundError: "Check persona_id (search_personas lists your saved personas) and any avatar_id, voice_id or "
    "llm_id given (from search_avatars, search_voices and list_llms).",
    InvalidRequestError: _CHECK_PERSONA,
}
SESSION_HINTS: Hints = {
    NotFoundError: "No session with this session_id has a transcript: list_sessions lists sessions and their ids.",
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


def default_llm_text(choice: LlmChoice | None) -> str | None:
    """Which LLM a persona without llm_id gets, in a sentence; None when no default was chosen."""
    if choice is None:
        return None
    return f"Without llm_id, a persona gets {choice.display_name or 'the LLM Anam chooses'} ({choice.reason})."


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


def error_text(exc: AnamError, hints: Hints | None = None) -> str:
    """The error's own message, plus what to check for this kind of request, when `hints` has it."""
    hint = hints.get(type(exc)) if hints else None
    return f"{exc} {hint}" if hint else str(exc)


def saved_summary(name: str, persona_id: str, defaults: Sequence[str], llm: str | None = None) -> str:
    filled = f" Defaults used for {', '.join(defaults)}." if defaults else ""
    after = f" {llm}" if llm else ""
    return (
        f"Saved the persona {name!r} (persona_id {persona_id}).{filled} To talk to it in a browser, call "
        f"create_share_link with this persona_id.{after}"
    )


def persona_summary(name: str | None, avatar: str | None, voice: str | None, share_links: int) -> str:
    parts = [f"avatar {avatar}" if avatar else None, f"voice {voice}" if voice else None]
    links = f"{share_links} share link{'' if share_links == 1 else 's'}"
    return f"Persona {name or '(unnamed)'!r}: {', '.join([p for p in parts if p] + [links])}."


def updated_summary(name: str | None, changed: Sequence[str]) -> str:
    return f"Updated {', '.join(changed)} of the persona {name or '(unnamed)'!r}."


def delete_question(name: str | None, persona_id: str) -> str:
    """What the user is asked before a persona is deleted."""
    return f"Delete the Anam persona {name or '(unnamed)'!r} ({persona_id})? This cannot be undone."


def deleted_summary(persona_id: str, deleted: bool) -> str:
    if deleted:
        return f"Deleted the persona {persona_id}."
    return f"Nothing was deleted: the user did not confirm deleting the persona {persona_id}."


def share_link_summary(url: str, expires_at: str | None, usage_limit: int | None) -> str:
    until = f" until {expires_at}" if expires_at else ""
    uses = f", for up to {usage_limit} conversation{'' if usage_limit == 1 else 's'}" if usage_limit else ""
    return (
        f"Share link: {url} - open it in a browser to talk to the persona, no code needed. It works{until}{uses}. "
        "Afterwards, list_sessions and get_session_transcript show how the conversations went."
    )


NO_SESSIONS = "No sessions yet: create_share_link gives a URL where the user can talk to the persona."


def transcript_note(enabled: bool | None, shown: int, total: int) -> str | None:
    """What to know about a transcript: that transcripts were off, or that it was cut short."""
    if enabled is False:
        return "Transcripts were turned off for this session, so Anam kept no messages."
    if shown < total:
        return (
            f"Showing the first {shown} of {total} messages: call again with a larger max_messages (up to 1000) "
            "to read more."
        )
    return None


def transcript_summary(persona_name: str | None, shown: int, total: int, note: str | None) -> str:
    who = f" with {persona_name!r}" if persona_name else ""
    of = f" (of {total})" if total > shown else ""
    after = f" {note}" if note else ""
    return f"{shown} message{'' if shown == 1 else 's'}{of} in the conversation{who}.{after}"


# Where a model finds a valid value for an id argument.
_SUPPLIERS = {
    "avatar_id": "search_avatars",
    "voice_id": "search_voices",
    "llm_id": "list_llms",
    "persona_id": "search_personas",
    "session_id": "list_sessions",
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
