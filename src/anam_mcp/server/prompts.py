"""Prompts: guided flows an assistant can start from the client's prompt menu."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from mcp.server.mcpserver.prompts import Prompt
from pydantic import Field

from ..constants import ANAM_JS_SDK_MODULE_URL

__all__ = ["IMPROVE_PROMPT", "KNOWLEDGE_PROMPT", "SETUP_PROMPT", "prompts"]

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
     import {{ createClient }} from "{sdk_module}";
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
4. Call get_session_analytics for the same sessions: note the median and worst wait for the first audio,
   and the slowest stage. A slow LLM stage on long answers calls for shorter answers; a session still
   going has no analytics yet, so skip it.
5. From the transcripts and the analytics, list what worked and what went wrong (misunderstandings,
   answers too long or off topic, questions it could not answer, a goal it missed, turns where the user
   waited long), each with a short quote or a number as evidence.
6. Propose a revised system prompt that fixes those problems and keeps what works. Show the change as a
   unified diff against the current system prompt (lines starting with - and +), then explain each change
   in one line.
7. Ask me whether to apply it, and wait for my answer. Only after I agree, call update_persona with
   persona_id={persona_id} and system_prompt set to the whole new prompt (not the diff), then call
   get_persona to confirm the change.
8. Offer create_share_link so I can try the improved persona."""

KNOWLEDGE_PROMPT = """\
Help me give my saved Anam persona {persona_id} knowledge from my documents, and test it.

1. Call get_persona with persona_id={persona_id}. Note its name and the persona tools it has.
2. Ask me which documents it should know, and wait for my answer. Each can be a file on this computer (path,
   only when this server runs here over stdio), an https URL, or text I paste; PDF, TXT, MD, DOCX or CSV, up
   to 50 MB each.
3. Call teach_persona with persona_id={persona_id} and those sources. It makes or reuses the persona's
   knowledge base, uploads only what is new, attaches a knowledge persona tool, and waits for processing.
4. Tell me what was added, what is still processing (list_knowledge_documents shows it later) and what
   failed, with the reason.
5. Ask me for a question the persona should answer from these documents. Call search_knowledge_base with the
   knowledge_base_id from step 3 and that question, and show me the passages found. If nothing relevant
   comes back, suggest other documents or wording.
6. Call create_share_link with persona_id={persona_id}, give me the link, and suggest a question to ask the
   persona there."""


def set_up_persona_session(
    persona: Annotated[
        str, Field(description="What the persona should be like, e.g. 'a calm British museum guide'.")
    ] = "a friendly assistant",
) -> str:
    """Walk through choosing an avatar, a voice and an LLM, minting a session token, and using it in a page."""
    return SETUP_PROMPT.format(persona=persona, sdk_module=ANAM_JS_SDK_MODULE_URL)


def improve_persona(
    persona_id: Annotated[UUID, Field(description="ID of the saved persona to improve (from search_personas).")],
) -> str:
    """Read the persona's latest conversations and their latency, propose a better system prompt as a diff, and
    apply it once agreed."""
    return IMPROVE_PROMPT.format(persona_id=persona_id)


def add_knowledge_to_persona(
    persona_id: Annotated[UUID, Field(description="ID of the saved persona (from search_personas).")],
) -> str:
    """Choose documents, teach them to the persona with teach_persona, then test with a search and a share link."""
    return KNOWLEDGE_PROMPT.format(persona_id=persona_id)


def prompts() -> list[Prompt]:
    return [
        Prompt.from_function(set_up_persona_session, title="Set up an Anam persona session"),
        Prompt.from_function(improve_persona, title="Improve an Anam persona from its conversations"),
        Prompt.from_function(add_knowledge_to_persona, title="Give an Anam persona knowledge from documents"),
    ]
