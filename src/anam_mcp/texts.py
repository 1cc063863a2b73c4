"""What people and models read: server instructions, the setup prompt, result summaries, error hints.

Plain functions over plain data, so the wording can be read and tested without MCP.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from .errors import AnamError, InvalidRequestError, NotFoundError

__all__ = ["INSTRUCTIONS", "SETUP_PROMPT", "error_text", "search_summary", "token_summary", "validation_text"]

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
4. Call list_llms and use the one marked is_server_default unless another fits better.
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


def search_summary(kind: str, total: int, labels: Sequence[str], query: str | None) -> str:
    """One line: how many matched, and the first few names, e.g. "12 voices matching 'calm' (showing 5): ..."."""
    about = f" matching {query!r}" if query else ""
    if total == 0:
        return f"No {kind}s{about}."
    plural = "" if total == 1 else "s"
    shown = f" (showing {len(labels)})" if len(labels) < total else ""
    end = ", ..." if len(labels) > _SHOWN_NAMES else "."
    return f"{total} {kind}{plural}{about}{shown}: {', '.join(labels[:_SHOWN_NAMES])}{end}"


def token_summary(mode: str, defaults: Sequence[str]) -> str:
    what = "a saved persona" if mode == "persona" else "an ephemeral persona"
    filled = f"; defaults used for {', '.join(defaults)}" if defaults else ""
    return (
        f"Created a session token for {what}{filled}. It is valid for one session within 1 hour: "
        "pass it to createClient(sessionToken) in Anam's JS SDK."
    )


def error_text(exc: AnamError, *, token_request: bool = False) -> str:
    """The error's own message, plus what to check when it came from a token request."""
    hint = _TOKEN_HINTS.get(type(exc)) if token_request else None
    return f"{exc} {hint}" if hint else str(exc)


def validation_text(exc: ValidationError) -> str:
    """Pydantic's errors as one line naming each argument, without echoing the rejected values."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "Invalid arguments: " + "; ".join(parts)
