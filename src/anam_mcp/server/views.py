"""MCP Apps views: the avatar gallery, the voice browser and the live persona, as `ui://` resources.

Each view is one self-contained HTML document built from the package's views/ folder, with the shared
bridge script and stylesheet inlined. A view knows only what its tool's result gives it: the API key
never reaches one. Its `_meta.ui.csp` declares exactly the origins it loads from.
"""

from __future__ import annotations

import functools
import html
import re
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from mcp.server.apps import Apps, ResourceCsp, ResourcePermissions

from .. import __version__
from ..config import Settings
from ..constants import ANAM_SDK_CONNECT_ORIGINS

__all__ = ["GALLERY_URI", "LIVE_URI", "VOICES_URI", "media_origins", "ui_meta", "views"]

GALLERY_URI = "ui://anam/avatar-gallery.html"
VOICES_URI = "ui://anam/voice-browser.html"
LIVE_URI = "ui://anam/live-persona.html"

_INCLUDE = re.compile(r"<!-- include ([\w.-]+) -->")
_VALUE = re.compile(r"\{\{(\w+)\}\}")


def ui_meta(uri: str) -> dict[str, Any]:
    """A tool's `_meta` binding it to the view at `uri`."""
    return {"ui": {"resourceUri": uri}}


def views(settings: Settings) -> Apps:
    """The three views, ready for `MCPServer(extensions=[...])`."""
    apps = Apps()
    media = ResourceCsp(resource_domains=media_origins(settings))
    apps.add_html_resource(
        GALLERY_URI,
        page("gallery.html"),
        name="avatar-gallery",
        title="Anam avatar gallery",
        description="The avatars search_avatars found (or create_avatar made), with their pictures; search again, "
        "pick one, delete one you made.",
        csp=media,
        prefers_border=True,
    )
    apps.add_html_resource(
        VOICES_URI,
        page("voices.html"),
        name="voice-browser",
        title="Anam voice browser",
        description="The voices search_voices found, with a player for each sample; search again, pick one.",
        csp=media,
        prefers_border=True,
    )
    apps.add_html_resource(
        LIVE_URI,
        page("live.html", js_sdk_url=str(settings.js_sdk_url)),
        name="live-persona",
        title="Anam live persona",
        description="Talk to the persona a minted session token starts, by text (and voice where allowed).",
        csp=ResourceCsp(
            resource_domains=[_origin(str(settings.js_sdk_url))], connect_domains=list(ANAM_SDK_CONNECT_ORIGINS)
        ),
        permissions=ResourcePermissions(microphone={}),
        prefers_border=True,
    )
    return apps


def media_origins(settings: Settings) -> list[str]:
    """Where avatar images and voice samples may load from: the setting, plus a local API's own origin.

    A local API (a fake of Anam on this machine) serves its own media, so its origin joins the list.
    """
    origins = list(settings.view_media_domains)
    if settings.api_is_local and (local := _origin(settings.base_url)) not in origins:
        origins.append(local)
    return origins


def page(name: str, **values: str) -> str:
    """The view `name` with its includes inlined and its `{{placeholders}}` filled in (HTML-escaped)."""
    values = {"version": __version__, **values}
    document = _VALUE.sub(lambda m: html.escape(values[m.group(1)], quote=True), _read(name))
    return _INCLUDE.sub(lambda m: _inline(m.group(1)), document)


def _inline(name: str) -> str:
    tag = "style" if name.endswith(".css") else "script"
    text = _read(name)
    if f"</{tag}" in text.lower():
        raise ValueError(f"{name} would close its own <{tag}> element")
    return f"<{tag}>\n{text}</{tag}>"


@functools.cache
def _read(name: str) -> str:
    return files("anam_mcp").joinpath("views", name).read_text(encoding="utf-8")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
