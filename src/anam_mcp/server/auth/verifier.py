"""Who is calling, with OAuth on: an access token of this server, or, as before, whatever `Credentials` accepts.

An access token (it starts with `anam_at_`) is looked up once per request: the gate asks for its refusal, and
the SDK's bearer check, further in, receives the same answer. It opens the server when it is known, unexpired,
unrevoked and bound to this server's resource, and when the credential its grant was signed in with is still
accepted (a team token removed from ANAM_MCP_TOKENS ends the sign-ins made with it). The call then acts with
that credential's key, exactly as if the caller had sent it (see `caller_key`), and the key is redacted from
the request's log lines. A raw Anam key as the bearer keeps working.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

from mcp.server.auth.provider import AccessToken

from ..credentials import Credentials
from .issuer import Issuer
from .provider import ACCESS_PREFIX, Access, Provider

__all__ = ["Bearers"]

# The access token the gate found for the request being served, so the SDK's check does not look it up again.
_VERIFIED: ContextVar[Access | None] = ContextVar("verified_access", default=None)


class Bearers:
    """The gate's check of a bearer, and the SDK's `TokenVerifier`, for a server that signs people in."""

    def __init__(self, provider: Provider, credentials: Credentials, issuer: Issuer) -> None:
        self._provider = provider
        self._credentials = credentials
        self._issuer = issuer

    @property
    def challenge(self) -> bytes:
        """Added to each 401's `WWW-Authenticate`: where a client learns how to sign in (RFC 9728)."""
        return self._issuer.challenge

    async def refusal(self, credential: str | None) -> str | None:
        """Why `credential` does not open the server, in words for the caller; None when it does."""
        if credential is None or not credential.startswith(ACCESS_PREFIX):
            refusal = self._credentials.refusal(credential)
            if refusal is not None and not credential:
                return f"Sign in: this server offers OAuth (see {self._issuer.resource_metadata}). Or: {refusal}"
            return refusal
        access, refusal = await self._check(credential)
        _VERIFIED.set(access)
        return refusal

    async def _check(self, token: str) -> tuple[Access | None, str | None]:
        access = await self._provider.load_access_token(token)
        if access is None or (access.expires_at or 0) <= time.time():
            return None, "This access token has expired or was revoked: sign in again (MCP clients do this themselves)."
        if access.resource != self._issuer.resource:
            return (
                None,
                f"This access token was issued for {access.resource}, not for this server ({self._issuer.resource}).",
            )
        if self._credentials.refusal(access.anam_key.get_secret_value()) is not None:
            return None, "The credential this sign-in was made with is no longer accepted here: sign in again."
        return access, None

    async def verify_token(self, token: str) -> AccessToken | None:
        """The SDK's check of each bearer token (it answers 401 to None)."""
        if not token.startswith(ACCESS_PREFIX):
            return await self._credentials.verify_token(token)
        access = _VERIFIED.get()
        if access is None or access.token != token:
            access, _ = await self._check(token)
        return access
