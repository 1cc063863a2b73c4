"""The authorization server's grants: the SDK's `OAuthAuthorizationServerProvider`, over the store.

A sign-in starts at /authorize, which the SDK's handler checks (client, redirect URI, PKCE challenge) before
`authorize` seals the request and sends the browser to the sign-in page. The page calls `issue_code` once the
person's credential is checked. Both check that the redirect URI the request resolved to is one this server
returns to (routes.py refuses earlier, with JSON; these checks hold whatever path a request took).
Each code starts a grant, a family of rows in the store:
- the code lives 60 s and is single-use; a second exchange revokes the grant;
- access tokens live 1 h and are bound to this server's resource; refresh tokens live 30 days;
- a refresh rotates both and deletes the access token issued before it; a refresh token used twice revokes
  the grant (one of its copies may have been stolen), successor included;
- revoking either token revokes the grant.
Tokens are opaque, with a prefix that says what they are; the store keeps their digests only, and the credential
behind the grant (a caller's Anam key, or the team token they signed in with) sealed to the grant.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    OAuthAuthorizationServerProvider,
    RefreshToken,
    TokenError,
    construct_redirect_uri,
)
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken
from pydantic import AnyUrl, BaseModel, Field, SecretStr, ValidationError

from .clients import Clients
from .issuer import Issuer
from .sealing import Sealer, mint
from .store import Store

__all__ = ["ACCESS_PREFIX", "Access", "Provider", "SignInRequest"]

ACCESS_PREFIX = "anam_at_"
_REFRESH_PREFIX = "anam_rt_"
_CODE_PREFIX = "anam_ac_"
CODE_SECONDS = 60
ACCESS_SECONDS = 3600
REFRESH_SECONDS = 30 * 24 * 3600
# How long a sign-in page stays good for: time to find a key and paste it.
_REQUEST_SECONDS = 600
_REQUEST_CONTEXT = b"sign-in request"


class SignInRequest(BaseModel):
    """A checked authorization request, on its way (sealed) to the sign-in page and back."""

    client_id: str
    client_name: str | None
    redirect_uri: str
    redirect_uri_provided_explicitly: bool
    state: str | None
    code_challenge: str
    scopes: list[str]
    expires_at: float


class Code(AuthorizationCode):
    family: str
    sealed_key: str


class Refresh(RefreshToken):
    family: str
    sealed_key: str
    access_digest: str


class Access(AccessToken):
    """An access token of a grant, with the credential its calls act with (never serialized)."""

    family: str
    sealed_key: str
    anam_key: SecretStr = Field(default=SecretStr(""), exclude=True)


class Provider(OAuthAuthorizationServerProvider[Code, Refresh, Access]):
    """Issues, rotates and revokes grants (the identity-assertion grant is the SDK's default: unsupported)."""

    def __init__(self, issuer: Issuer, store: Store, sealer: Sealer, clients: Clients) -> None:
        self.issuer = issuer
        self.clients = clients
        self._store = store
        self._sealer = sealer

    # -- clients --------------------------------------------------------------------------------

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        return await self.clients.get(client_id)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        await self.clients.register(client_info)

    # -- sign-in --------------------------------------------------------------------------------

    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        """Where the browser goes next: the sign-in page, carrying the request sealed (nothing is stored yet)."""
        if params.resource is not None and params.resource.rstrip("/") != self.issuer.resource:
            raise AuthorizeError(
                "invalid_target",
                f"This server signs you in to {self.issuer.resource} only, not to {params.resource}.",
            )
        self._check_return(str(params.redirect_uri))
        request = SignInRequest(
            client_id=client.client_id,
            client_name=client.client_name,
            redirect_uri=str(params.redirect_uri),
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
            state=params.state,
            code_challenge=params.code_challenge,
            scopes=params.scopes or [],
            expires_at=time.time() + _REQUEST_SECONDS,
        )
        sealed = self._sealer.seal_text(request.model_dump_json().encode(), _REQUEST_CONTEXT)
        return self.issuer.at("/sign-in?" + urlencode({"request": sealed}))

    def open_request(self, sealed: str) -> SignInRequest | None:
        """The request the sign-in page carries, unless it was altered or has expired."""
        opened = self._sealer.open_text(sealed, _REQUEST_CONTEXT)
        if opened is None:
            return None
        try:
            request = SignInRequest.model_validate_json(opened)
        except ValidationError:
            return None
        return request if request.expires_at > time.time() else None

    async def issue_code(self, request: SignInRequest, credential: str) -> str:
        """Start a grant for `request`, acting with `credential`: the address that returns its code to the client.

        AuthorizeError if the client may no longer be sent back there (the host list changed since /authorize).
        """
        self._check_return(request.redirect_uri)
        family = secrets.token_urlsafe(16)
        code = Code(
            code=mint(_CODE_PREFIX),
            scopes=request.scopes,
            expires_at=time.time() + CODE_SECONDS,
            client_id=request.client_id,
            code_challenge=request.code_challenge,
            redirect_uri=AnyUrl(request.redirect_uri),
            redirect_uri_provided_explicitly=request.redirect_uri_provided_explicitly,
            resource=self.issuer.resource,
            subject=family,
            family=family,
            sealed_key=self._sealer.seal_text(credential.encode(), family.encode()),
        )
        data = code.model_dump_json(exclude={"code"}).encode()
        await self._store.put("code", self._sealer.digest(code.code), family, data, code.expires_at)
        return self.answer(request, code=code.code)

    def answer(self, request: SignInRequest, **fields: str) -> str:
        """The client's redirect URI with `fields`, its `state` and this issuer (RFC 9207); AuthorizeError if the
        client may not be sent back there."""
        self._check_return(request.redirect_uri)
        return construct_redirect_uri(request.redirect_uri, **fields, state=request.state, iss=self.issuer.url)

    def _check_return(self, redirect_uri: str) -> None:
        if not self.clients.policy.allows(redirect_uri):
            raise AuthorizeError("invalid_request", self.clients.policy.refusal(redirect_uri))

    # -- codes and tokens -----------------------------------------------------------------------

    async def load_authorization_code(self, client: OAuthClientInformationFull, authorization_code: str) -> Code | None:
        data = await self._store.get("code", self._sealer.digest(authorization_code))
        return None if data is None else Code.model_validate(_row(data, code=authorization_code))

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: Code
    ) -> OAuthToken:
        consumed = await self._store.consume("code", self._sealer.digest(authorization_code.code))
        if consumed is None:
            raise TokenError("invalid_grant", "This authorization code has expired: sign in again.")
        if not consumed.first:
            await self._revoke(consumed.family)
            raise TokenError(
                "invalid_grant",
                "This authorization code was already used, so the tokens issued for it are revoked: sign in again.",
            )
        return await self._issue(client, authorization_code.family, authorization_code.sealed_key, authorization_code)

    async def load_refresh_token(self, client: OAuthClientInformationFull, refresh_token: str) -> Refresh | None:
        if not refresh_token.startswith(_REFRESH_PREFIX):
            return None
        data = await self._store.get("refresh", self._sealer.digest(refresh_token))
        return None if data is None else Refresh.model_validate(_row(data, token=refresh_token))

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: Refresh, scopes: list[str]
    ) -> OAuthToken:
        consumed = await self._store.consume("refresh", self._sealer.digest(refresh_token.token))
        if consumed is None:
            raise TokenError("invalid_grant", "This refresh token has expired or was revoked: sign in again.")
        if not consumed.first:
            await self._revoke(consumed.family)
            raise TokenError(
                "invalid_grant",
                "This refresh token was already used once, so every token of this sign-in is revoked (a copy of it "
                "may be in other hands): sign in again.",
            )
        await self._store.drop("access", bytes.fromhex(refresh_token.access_digest))
        granted = refresh_token.model_copy(update={"scopes": scopes})
        return await self._issue(client, refresh_token.family, refresh_token.sealed_key, granted)

    async def _issue(
        self, client: OAuthClientInformationFull, family: str, sealed_key: str, grant: Code | Refresh
    ) -> OAuthToken:
        now = int(time.time())
        scopes, resource = grant.scopes, grant.resource
        access = Access(
            token=mint(ACCESS_PREFIX),
            client_id=client.client_id,
            scopes=scopes,
            expires_at=now + ACCESS_SECONDS,
            resource=resource,
            subject=family,
            family=family,
            sealed_key=sealed_key,
        )
        access_digest = self._sealer.digest(access.token)
        refresh = Refresh(
            token=mint(_REFRESH_PREFIX),
            client_id=client.client_id,
            scopes=scopes,
            expires_at=now + REFRESH_SECONDS,
            resource=resource,
            subject=family,
            family=family,
            sealed_key=sealed_key,
            access_digest=access_digest.hex(),
        )
        kept = await self._store.put(
            "access", access_digest, family, access.model_dump_json(exclude={"token"}).encode(), now + ACCESS_SECONDS
        ) and await self._store.put(
            "refresh",
            self._sealer.digest(refresh.token),
            family,
            refresh.model_dump_json(exclude={"token"}).encode(),
            now + REFRESH_SECONDS,
        )
        if not kept:
            raise TokenError("invalid_grant", "This sign-in was revoked: sign in again.")
        await self.clients.keep(client)
        return OAuthToken(
            access_token=access.token,
            expires_in=ACCESS_SECONDS,
            refresh_token=refresh.token,
            scope=" ".join(scopes) or None,
        )

    async def load_access_token(self, token: str) -> Access | None:
        """The grant behind an access token, with its credential unsealed; None if unknown, expired or revoked."""
        if not token.startswith(ACCESS_PREFIX):
            return None
        data = await self._store.get("access", self._sealer.digest(token))
        if data is None:
            return None
        access = Access.model_validate(_row(data, token=token))
        key = self._sealer.open_text(access.sealed_key, access.family.encode())
        if key is None:
            return None
        access.anam_key = SecretStr(key.decode())
        return access

    async def revoke_token(self, token: Access | Refresh) -> None:
        await self._revoke(token.family)

    async def _revoke(self, family: str) -> None:
        await self._store.revoke_family(family, until=time.time() + REFRESH_SECONDS)


def _row(data: bytes, **secret: str) -> dict[str, Any]:
    """A stored row with its token or code (kept out of the store) put back."""
    row: dict[str, Any] = json.loads(data)
    return row | secret
