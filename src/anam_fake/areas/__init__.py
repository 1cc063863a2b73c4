"""The API areas the fake serves, one module each with its endpoints and the body rules they check.

A new area is a module with a `routes = Routes()` table and one entry in AREAS.
"""

from __future__ import annotations

from ..routes import Route
from . import catalogue, knowledge, media, meetings, persona_tools, personas, sessions, share_links

AREAS = (catalogue, personas, sessions, share_links, knowledge, persona_tools, media, meetings)
ROUTES: tuple[Route, ...] = tuple(route for area in AREAS for route in area.routes)
