"""Run the fake Anam API by hand, e.g. for a try-out with the MCP Inspector:

python -m anam_fake --port 8765 --key test-key
"""

from __future__ import annotations

import argparse
import sys
import threading

from .ids import DEFAULT_KEY
from .server import FakeAnam


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m anam_fake", description="Run the fake Anam API on 127.0.0.1 until interrupted."
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--key", default=DEFAULT_KEY, help="the API key the fake accepts")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--serve-media", action="store_true", help="serve avatar images and voice samples too")
    args = parser.parse_args()
    fake = FakeAnam(api_key=args.key, latency=args.latency, port=args.port, serve_media=args.serve_media).start()
    try:
        print(f"Fake Anam API on {fake.url} (key {args.key!r}); Ctrl-C to stop.", file=sys.stderr, flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
