"""Persona tools (/v1/tools): created, listed, read, changed and deleted; each one's usageCount is how many
personas list it in their toolIds (kept by the personas area under the private key `_toolIds`)."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from ..formats import is_uuid, now_iso
from ..pages import listing
from ..routes import Answer, Call, Routes, error
from ..validation import FieldTypes, field_problems, type_name
from .knowledge import groups_of

if TYPE_CHECKING:
    from ..account import Account

TOOLS = "/v1/tools"
TYPES = ("CLIENT", "SERVER_RAG", "SERVER_WEBHOOK", "SYSTEM")
_NAME = re.compile(r"[a-zA-Z0-9_.-]{1,64}")
TOOL_KEYS: FieldTypes = {"name": str, "description": str, "type": str, "disableInterruptions": bool, "config": dict}
# Each type's config fields, and which of them it requires (spec: the inline oneOf of POST /v1/tools).
CONFIG_KEYS: dict[str, tuple[FieldTypes, tuple[str, ...]]] = {
    "CLIENT": ({"parameters": dict, "awaitResult": bool, "toolTimeoutSeconds": (int, float)}, ()),
    "SERVER_RAG": ({"documentFolderIds": list}, ("documentFolderIds",)),
    "SERVER_WEBHOOK": ({"url": str, "method": str, "headers": dict, "bodyTemplate": str}, ("url", "method")),
    "SYSTEM": ({"action": str}, ("action",)),
}
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")

routes = Routes()


def tools_of(account: Account) -> list[dict[str, Any]]:
    return account.catalogues.setdefault(TOOLS, [])


def validate_tool_body(body: Any, *, update: bool = False) -> list[str]:
    """What the API would reject in a POST /v1/tools body, or a PUT /v1/tools/{id} one with `update`."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = field_problems(body, TOOL_KEYS)
    required = () if update else ("name", "description", "type")
    problems += [f"{key} is required" for key in required if key not in body]
    if isinstance(body.get("name"), str) and not _NAME.fullmatch(body["name"]):
        problems.append("name must match [a-zA-Z0-9_.-]+ (1 to 64 characters)")
    if isinstance(body.get("description"), str) and not 1 <= len(body["description"]) <= 1024:
        problems.append("description must be 1 to 1024 characters")
    kind = body.get("type")
    if "type" in body and kind not in TYPES:
        problems.append(f"type must be one of {', '.join(TYPES)}")
    elif isinstance(body.get("config"), dict) and kind in CONFIG_KEYS:
        problems += _config_problems(body["config"], kind, update=update)
    return problems


def _config_problems(config: dict[str, Any], kind: str, *, update: bool) -> list[str]:
    keys, required = CONFIG_KEYS[kind]
    problems = field_problems(config, keys, within="config")
    problems += [f"config.{key} is required" for key in required if key not in config and not update]
    folders = config.get("documentFolderIds")
    if isinstance(folders, list) and not all(is_uuid(folder) for folder in folders):
        problems.append("config.documentFolderIds must be UUIDs")
    if "method" in config and config["method"] not in _METHODS:
        problems.append(f"config.method must be one of {', '.join(_METHODS)}")
    headers = config.get("headers")
    if isinstance(headers, dict) and not all(isinstance(v, str) for v in headers.values()):
        problems.append(f"config.headers: every value must be a {type_name(str)}")
    if "action" in config and config["action"] not in ("end_call", "interrupt"):
        problems.append("config.action must be end_call or interrupt")
    timeout = config.get("toolTimeoutSeconds")
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and not 1 <= timeout <= 600:
        problems.append("config.toolTimeoutSeconds must be from 1 to 600")
    return problems


def shown(account: Account, tool: dict[str, Any]) -> dict[str, Any]:
    """A tool as the API answers it: with how many personas use it."""
    users = sum(tool["id"] in extras.get("_toolIds", ()) for extras in account.persona_details.values())
    return {**tool, "usageCount": users}


@routes.get(TOOLS)
def list_tools(account: Account, call: Call) -> Answer:
    return listing(account, call, [shown(account, tool) for tool in tools_of(account)], search_key="name")


@routes.post(TOOLS)
def create_tool(account: Account, call: Call) -> Answer:
    body = call.body
    problems = validate_tool_body(body)
    if problems:
        return 400, error("Invalid tool data", "; ".join(problems)), {}
    refused = _refused(account, body)
    if refused is not None:
        return refused
    now = now_iso()
    tool = {
        "id": str(uuid.uuid4()),
        "name": body["name"],
        "description": body["description"],
        "type": body["type"],
        "config": body.get("config", {}),
        "disableInterruptions": body.get("disableInterruptions", False),
        "createdAt": now,
        "updatedAt": None,
    }
    with account.lock:
        tools_of(account).append(tool)
    return 201, shown(account, tool), {}


@routes.get(TOOLS + "/([^/]+)")
def get_tool(account: Account, call: Call) -> Answer:
    tool = _tool(account, call.params[0])
    return tool if isinstance(tool, tuple) else (200, shown(account, tool), {})


@routes.put(TOOLS + "/([^/]+)")
def update_tool(account: Account, call: Call) -> Answer:
    tool = _tool(account, call.params[0])
    if isinstance(tool, tuple):
        return tool
    problems = validate_tool_body(call.body, update=True)
    if problems:
        return 400, error("Invalid tool data", "; ".join(problems)), {}
    if tool["type"] == "SYSTEM":
        return 403, error("Forbidden", "System tools cannot be modified"), {}
    refused = _refused(account, {**tool, **call.body}, tool["id"])
    if refused is not None:
        return refused
    with account.lock:
        tool.update({**call.body, "updatedAt": now_iso()})
    return 200, shown(account, tool), {}


@routes.delete(TOOLS + "/([^/]+)")
def delete_tool(account: Account, call: Call) -> Answer:
    """Deleted, and taken off every persona that listed it."""
    tool = _tool(account, call.params[0])
    if isinstance(tool, tuple):
        return tool
    with account.lock:
        tools_of(account).remove(tool)
        for extras in account.persona_details.values():
            if tool["id"] in extras.get("_toolIds", ()):
                extras["_toolIds"] = [i for i in extras["_toolIds"] if i != tool["id"]]
    return 204, None, {}


def _refused(account: Account, tool: dict[str, Any], own_id: str | None = None) -> Answer | None:
    """Why Anam would refuse this tool against what the account holds: a name taken, a knowledge base unknown."""
    if any(t["name"] == tool["name"] and t["id"] != own_id for t in tools_of(account)):
        return 400, error("Bad request", f"A tool named {tool['name']} already exists"), {}
    groups = {group["id"] for group in groups_of(account)}
    unknown = [f for f in (tool.get("config") or {}).get("documentFolderIds", []) if f not in groups]
    if unknown:
        return 404, error("Not found", f"Knowledge folder {unknown[0]} not found"), {}
    return None


def _tool(account: Account, wanted: str) -> dict[str, Any] | Answer:
    if not is_uuid(wanted):
        return 400, error("Bad request", "Invalid ID"), {}
    tool = next((t for t in tools_of(account) if t["id"] == wanted), None)
    if tool is None:
        return 404, error("Not found", "Tool not found"), {}
    return tool
