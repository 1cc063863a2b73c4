"""Anam's list pages (`page` and `perPage` in the query; `data` and `meta` in the answer) and single records."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .formats import is_uuid
from .routes import Answer, Call, error

if TYPE_CHECKING:
    from .account import Account


def listing(
    account: Account, call: Call, items: list[dict[str, Any]], *, search_key: str = "displayName", problem: str = ""
) -> Answer:
    """The page of `items` that `call` asks for, narrowed by its `search` (a substring of `search_key`).

    `problem` is what the endpoint found wrong with the rest of the query: reported, as Anam does, only once
    the page numbers are known to be fine. The page's `meta` goes through `account.meta_for` when a test set it.
    """
    try:
        page = int(call.query.get("page", "1"))
        per_page = int(call.query.get("perPage", "10"))
    except ValueError:
        return 400, error("Validation error", "page and perPage must be integers"), {}
    if page < 1 or not 1 <= per_page <= 100:
        return 400, error("Validation error", "page must be >= 1 and perPage between 1 and 100"), {}
    if problem:
        return 400, error("Validation error", problem), {}
    if search := call.query.get("search"):
        items = [i for i in items if search.lower() in str(i.get(search_key, "")).lower()]
    total = len(items)
    last = max(1, math.ceil(total / per_page))
    meta = {
        "total": total,
        "lastPage": last,
        "currentPage": page,
        "perPage": per_page,
        "prev": page - 1 if page > 1 else None,
        "next": page + 1 if page < last else None,
    }
    lie = account.meta_for.get(call.path)
    return 200, {"data": items[(page - 1) * per_page : page * per_page], "meta": lie(meta) if lie else meta}, {}


def entry(items: list[dict[str, Any]], wanted: str) -> Answer:
    """The record of `items` with id `wanted` (GET /v1/<kind>/{id}): 400 for an id that is no UUID, 404 if absent."""
    if not is_uuid(wanted):
        return 400, error("Bad request", "Invalid ID"), {}
    found = next((item for item in items if item["id"] == wanted), None)
    if found is None:
        return 404, error("Not found", f"No resource with id {wanted}"), {}
    return 200, found, {}
