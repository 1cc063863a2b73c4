"""anam-mcp: an MCP server for the Anam AI API (avatars, voices, LLMs, personas and session tokens)."""

from importlib.metadata import version

__version__ = version("anam-mcp")


def main() -> None:
    """Console entry point (`anam-mcp`)."""
    from .cli import main as cli_main

    raise SystemExit(cli_main())


__all__ = ["__version__", "main"]
