"""OAuth 2.1 sign-in for `anam-mcp --http`: the server is its own authorization server and the resource server.

On when ANAM_PUBLIC_URL is set; without it nothing here runs. People sign in on a page of this server with
their Anam API key (or, on a server-key deployment, one of its access tokens); their client gets opaque
access and refresh tokens, and each call acts with the key behind the token, found as a bearer key is.
One job per module:
- issuer.py: the settings glue (addresses, the 401 challenge, refusals at start);
- provider.py: codes, tokens, rotation and revocation (the SDK's provider protocol);
- verifier.py: bearer tokens to keys (the gate's check and the SDK's token verifier);
- clients.py and cimd.py: registered clients, metadata-document clients fetched safely, redirect hosts;
- sign_in.py and page.py: the sign-in page;
- routes.py: the endpoints and discovery documents;
- store.py, sqlite_store.py, redis_store.py: the shared store; sealing.py: its encryption and digests;
- oauth.py: all of it assembled.
"""

from __future__ import annotations

from .issuer import oauth_problem
from .oauth import OAuth
from .provider import Access

__all__ = ["Access", "OAuth", "oauth_problem"]
