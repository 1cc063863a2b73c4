"""anam-mcp: an MCP server for the Anam AI API (avatars, voices, LLMs, personas and session tokens)."""

__version__ = "0.1.0"


def main() -> None:
    """Console entry point (`anam-mcp`)."""
    from .cli import main as cli_main

    raise SystemExit(cli_main())


__all__ = ["__version__", "main"]
