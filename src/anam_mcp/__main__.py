from anam_mcp import main

main()
