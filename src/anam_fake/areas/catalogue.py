"""The catalogue: avatars, voices and LLMs, listed page by page or read one at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..pages import entry, listing
from ..routes import Answer, Call, Routes

if TYPE_CHECKING:
    from ..account import Account

routes = Routes()


@routes.get("/v1/(?:avatars|voices)")
def list_entries(account: Account, call: Call) -> Answer:
    return listing(account, call, account.catalogues[call.path])


@routes.get("/v1/llms")
def list_llms(account: Account, call: Call) -> Answer:
    """The organisation's own LLMs; Anam's defaults too with includeDefaults=true."""
    items = account.catalogues[call.path]
    if call.query.get("includeDefaults") != "true":
        items = [i for i in items if not i.get("isDefault")]
    return listing(account, call, items)


@routes.get("/v1/(avatars|voices|llms)/(.+)")
def get_entry(account: Account, call: Call) -> Answer:
    kind, wanted = call.params
    return entry(account.catalogues[f"/v1/{kind}"], wanted)
