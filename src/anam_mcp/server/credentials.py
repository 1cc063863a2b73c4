"""Who may call the server over HTTP, and with what: never an open proxy to someone's Anam account.

Two modes, chosen by the settings:
- bring your own key (no ANAM_API_KEY): each caller sends its own Anam key as its bearer token, and its
  calls act with that key alone;
- server key (ANAM_API_KEY): callers present one of the access tokens (ANAM_MCP_TOKENS), as a bearer or
  in the URL (/mcp/t/<token>), and the calls act with the server's key. Without tokens no one gets in:
  `anam-mcp --http` makes one for the run (see cli.py), whatever address or forwarder a request comes through.
"""

from __future__ import annotations

import hmac
import re
from enum import Enum

from mcp.server.auth.provider import AccessToken

from ..config import Settings
from ..net import Fingerprints, key_flaw

__all__ = ["Credentials", "Mode"]

# Far above any real Anam key or access token; a longer header is not worth hashing.
_MAX_CREDENTIAL_CHARS = 1024
# What an Anam key can be (a bearer token's characters, RFC 6750): anything else is refused before it is used,
# or written anywhere.
_KEY_SHAPE = re.compile(r"[A-Za-z0-9\-_.~+/=]+")
_MIN_KEY_CHARS = 10


class Mode(Enum):
    BRING_YOUR_OWN_KEY = "bring your own key"
    TOKENS = "server key, callers present a token"


class Credentials:
    """The server's credential policy, and the SDK's `TokenVerifier` for it."""

    def __init__(self, settings: Settings) -> None:
        self._tokens = [token.get_secret_value().encode() for token in settings.mcp_tokens]
        self.mode = Mode.BRING_YOUR_OWN_KEY if settings.api_key is None else Mode.TOKENS
        # The principal a credential stands for (it binds multi-round state to its caller): its fingerprint,
        # the same on every worker when they share a request-state key.
        shared = settings.request_state_key
        self._principals = (
            Fingerprints.from_secret(shared.get_secret_value(), "anam-mcp principal")
            if shared is not None
            else Fingerprints()
        )

    @property
    def accepts_secret_path(self) -> bool:
        """Whether /mcp/t/<token> is a way in: only for this server's tokens, never for an Anam key."""
        return self.mode is Mode.TOKENS

    def refusal(self, credential: str | None) -> str | None:
        """Why `credential` does not open the server, in words for the caller; None when it does."""
        if self.mode is Mode.TOKENS:
            if not self._tokens:
                return (
                    "This server has ANAM_API_KEY but no ANAM_MCP_TOKENS, so it lets no one in: set ANAM_MCP_TOKENS "
                    "(anam-mcp --http makes a token for each run when it is unset)."
                )
            if credential is not None and self._is_token(credential):
                return None
            return (
                "Send one of this server's access tokens (ANAM_MCP_TOKENS) as 'Authorization: Bearer <token>', "
                "or use the URL /mcp/t/<token>."
            )
        if not credential:
            return (
                "This server has no Anam key of its own: send yours as 'Authorization: Bearer <your Anam API key>' "
                "(Anam Lab > API keys)."
            )
        if len(credential) > _MAX_CREDENTIAL_CHARS:
            return "The bearer token is far too long to be an Anam API key."
        if flaw := key_flaw(credential):
            return f"The bearer token contains {flaw}, which an Anam API key never has: copy the key again."
        if not _KEY_SHAPE.fullmatch(credential):
            return (
                "The bearer token has a character an Anam API key never has (a key is letters, digits and - _ . ~ "
                "+ / =): copy the key again."
            )
        if len(credential) < _MIN_KEY_CHARS:
            return "The bearer token is too short to be an Anam API key: copy the whole key."
        return None

    def _is_token(self, credential: str) -> bool:
        offered = credential.encode("utf-8", "surrogateescape")
        # Every token is compared, in constant time, so the timing says nothing about which one nearly matched.
        matches = [hmac.compare_digest(offered, token) for token in self._tokens]
        return any(matches)

    async def verify_token(self, token: str) -> AccessToken | None:
        """The SDK's check of each bearer token: an access token for it, or None (the SDK answers 401)."""
        if self.refusal(token) is not None:
            return None
        subject = self._principals.hexdigest(token)[:32]
        return AccessToken(token=token, client_id="anam-mcp", scopes=[], subject=subject)
