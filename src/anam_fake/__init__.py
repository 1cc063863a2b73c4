"""A faithful fake of the Anam REST API, served over real HTTP on 127.0.0.1.

It serves the endpoints anam-mcp uses from a seeded catalogue that looks like the real one: several pages
of voices, more than one page of avatars, stock and custom entries, nullable fields sometimes null and
unknown extra fields. It checks the bearer key, validates request bodies the way the API does, records
every request, and can be scripted to misbehave (latency, error statuses, HTML or broken bodies, hangs).

It also keeps what is made through it: personas saved, changed and deleted, share links, meeting invites,
persona tools, knowledge bases and their documents (processed after `document_processing_seconds`), avatars
and voices made from uploaded photos and clips (multipart, or a presigned upload to the fake itself), and the
conversations people had (seeded, plus any recorded with `record_conversation`, ongoing until `end_session` if
asked), so what a test or a demo makes can be read back, even across server processes.

    with FakeAnam() as fake:          # fake.url, fake.api_key
        fake.script("/v1/voices", Fault("status", 503))

Run it by hand with `python -m anam_fake --port 8765 --key test-key`.
"""

from __future__ import annotations

from .account import Account
from .areas.knowledge import validate_group_body, validate_search_body, validate_upload
from .areas.media import validate_avatar_body, validate_presign_body, validate_voice_body
from .areas.meetings import InviteLimits, validate_invite_body
from .areas.persona_tools import validate_tool_body
from .areas.personas import validate_persona_body
from .areas.sessions import validate_session_body
from .areas.share_links import validate_share_link_body
from .data.catalogue import make_avatars, make_llms, make_voices
from .data.people import make_personas
from .faults import Fault
from .forms import Form, FormFile
from .handler import RecordedRequest
from .ids import (
    AVATAR_MODELS,
    CARA_AVATAR_ID,
    CARA_VOICE_ID,
    DEFAULT_KEY,
    GPT4O_LLM_ID,
    GPT4O_MINI_LLM_ID,
    LIV_AVATAR_ID,
    LUCY_VOICE_ID,
)
from .server import FakeAnam

__all__ = [
    "AVATAR_MODELS",
    "CARA_AVATAR_ID",
    "CARA_VOICE_ID",
    "DEFAULT_KEY",
    "GPT4O_LLM_ID",
    "GPT4O_MINI_LLM_ID",
    "LIV_AVATAR_ID",
    "LUCY_VOICE_ID",
    "Account",
    "FakeAnam",
    "Fault",
    "Form",
    "FormFile",
    "InviteLimits",
    "RecordedRequest",
    "make_avatars",
    "make_llms",
    "make_personas",
    "make_voices",
    "validate_avatar_body",
    "validate_group_body",
    "validate_invite_body",
    "validate_persona_body",
    "validate_presign_body",
    "validate_search_body",
    "validate_session_body",
    "validate_share_link_body",
    "validate_tool_body",
    "validate_upload",
    "validate_voice_body",
]
