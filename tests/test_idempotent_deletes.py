"""Every destructive tool marked idempotent is idempotent in result too: removing a thing that is already gone
(a second call, or an id Anam does not know) is not an error, says so, and asks nobody."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.types import ElicitRequestParams

from anam_fake import FakeAnam
from anam_mcp.config import Settings
from anam_mcp.server import build_server

from .helpers import answering, text

pytestmark = pytest.mark.anyio

UNKNOWN = "11111111-2222-4333-8444-555555555555"

# tool, its id argument, the result's outcome field, the word the summary uses, the path DELETE goes to,
# and whether the thing is looked up even where nobody can be asked (avatars and voices are, to refuse stock ones).
REMOVALS = [
    ("delete_persona", "persona_id", "deleted", "already deleted", "/v1/personas", False),
    ("delete_knowledge_document", "document_id", "deleted", "already deleted", "/v1/knowledge/documents", False),
    ("delete_knowledge_base", "knowledge_base_id", "deleted", "already deleted", "/v1/knowledge/groups", False),
    ("delete_persona_tool", "tool_id", "deleted", "already deleted", "/v1/tools", False),
    ("delete_avatar", "avatar_id", "deleted", "already deleted", "/v1/avatars", True),
    ("delete_voice", "voice_id", "deleted", "already deleted", "/v1/voices", True),
    ("revoke_share_link", "share_link_id", "revoked", "already revoked", "/v1/share-links", False),
    ("cancel_meeting_invite", "invite_id", "cancelled", "already cancelled", "/v1/meetings/invites", False),
]


@pytest.mark.parametrize("can_ask", [False, True], ids=["no-elicitation", "elicitation"])
@pytest.mark.parametrize(("tool", "key", "field", "said", "path", "looked_up"), REMOVALS, ids=[r[0] for r in REMOVALS])
async def test_removing_what_is_gone_is_not_an_error_and_says_so(
    settings: Settings,
    fake: FakeAnam,
    can_ask: bool,
    tool: str,
    key: str,
    field: str,
    said: str,
    path: str,
    looked_up: bool,
) -> None:
    asked: list[ElicitRequestParams] = []
    ask = answering("accept", True, asked) if can_ask else None
    async with Client(build_server(settings, local_files=True), elicitation_callback=ask) as c:
        result = await c.call_tool(tool, {key: UNKNOWN})
    assert not result.is_error, text(result)
    assert result.structured_content == {key: UNKNOWN, field: False}
    assert said in text(result) and UNKNOWN in text(result)
    assert asked == []  # nothing to ask about
    deletes = fake.requests_to(f"{path}/{UNKNOWN}", "DELETE")
    # Where the lookup showed it gone, Anam is not asked to delete it; otherwise Anam's 404 says so.
    assert len(deletes) == (0 if can_ask or looked_up else 1)
