"""`anam-mcp --check`: a few real calls with the configured key, and a verdict a person can read."""

from __future__ import annotations

import logging
import sys

from .api import catalogue
from .api.errors import AnamError
from .api.pages import list_all
from .api.transport import AnamClient
from .config import Settings
from .server import served_toolsets
from .server.persona_config import choose_default_llm

__all__ = ["run_check"]

logger = logging.getLogger(__name__)


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def _count(total: int | None) -> str:
    return str(total) if total is not None else "an unknown number of"


async def run_check(settings: Settings, toolsets_problem: str | None = None) -> int:
    """Check the settings, the toolsets and the key (with a few real calls); 0 when all is well."""
    problems = [*settings.problems, *([toolsets_problem] if toolsets_problem else [])]
    if problems:
        _say("anam-mcp check: invalid settings, nothing was sent to Anam")
        for problem in problems:
            _say(f"  FAIL  {problem}.")
        return 1
    _say(f"anam-mcp check: API {settings.base_url}")
    for toolset in served_toolsets(settings):
        tools = toolset.tools()
        _say(
            f"  ok    toolset {toolset.name}: {', '.join(tool.name for tool in tools)} "
            f"({toolset.input_bytes():,} bytes of context)"
        )
    if settings.api_key is None:
        _say("  FAIL  ANAM_API_KEY is not set (environment or .env). Create a key in Anam Lab and set it.")
        return 1
    async with AnamClient(settings) as client:
        try:
            avatars = await catalogue.count(client, catalogue.AVATARS)
            voices = await catalogue.count(client, catalogue.VOICES)
            llms = await list_all(client, catalogue.LLMS.listing)
        except AnamError as exc:
            _say(f"  FAIL  {exc}")
            return 1
        except Exception:
            # No traceback on screen: a library's message may quote part of the request, key included.
            logger.debug("Unexpected failure during the check", exc_info=True)
            _say("  FAIL  an unexpected error stopped the check. Run it with ANAM_LOG_LEVEL=DEBUG for details.")
            return 1
    _say("  ok    API key accepted")
    _say(f"  ok    catalogue: {_count(avatars)} avatars, {_count(voices)} voices, {len(llms)} LLMs")
    choice = choose_default_llm(llms, settings.default_llm_id)
    if choice.id is not None and choice.display_name is None:
        _say(
            f"  WARN  the default LLM {choice.id} (ANAM_DEFAULT_LLM_ID) is not among your LLMs: "
            "personas made without llm_id may fail. Pick one with list_llms and set ANAM_DEFAULT_LLM_ID."
        )
    else:
        _say(f"  ok    default LLM: {choice.display_name or 'chosen by Anam'} ({choice.reason})")
    return 0
