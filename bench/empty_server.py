"""The start-up floor: an MCPServer with one trivial tool and nothing else, served over stdio."""

from mcp.server.mcpserver import MCPServer

server = MCPServer("empty")


@server.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


if __name__ == "__main__":
    server.run("stdio")
