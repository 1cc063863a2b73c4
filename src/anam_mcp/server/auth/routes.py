"""The OAuth endpoints, as Starlette routes: discovery documents, /authorize, /sign-in, /token, /register, /revoke.

The SDK's handlers do the protocol work (/authorize's checks, the token grants with PKCE, registration); the
thin layers here add what they lack:
- the metadata says what this server really accepts: public clients (`none`), client ID metadata documents,
  and `iss` in the authorization response;
- /authorize, /token and /revoke answer a client whose metadata document cannot be used (malformed, unreachable,
  or listing a redirect URI this server does not return to) with the reason, and /authorize a redirect URI
  this server does not return to, given or the client's only one, before anything is redirected anywhere;
- /token refuses a `resource` other than this server (RFC 8707 `invalid_target`);
- /revoke accepts public clients, which send no secret.
Every refusal is the RFC's JSON error with a description a person can act on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from mcp.server.auth.handlers.authorize import AuthorizationHandler
from mcp.server.auth.handlers.register import RegistrationHandler
from mcp.server.auth.handlers.token import TokenHandler
from mcp.server.auth.json_response import PydanticJSONResponse
from mcp.server.auth.middleware.client_auth import AuthenticationError, ClientAuthenticator
from mcp.server.auth.settings import ClientRegistrationOptions
from mcp.server.transport_security import RequestBodyLimitMiddleware
from mcp.shared.auth import InvalidRedirectUriError, OAuthMetadata, ProtectedResourceMetadata
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, request_response
from starlette.types import ASGIApp

from .cimd import DocumentError, is_document_url
from .provider import Provider
from .sign_in import SignInPage

__all__ = ["oauth_routes"]

log = logging.getLogger(__name__)

# Far above any OAuth form or registration; the sign-in form carries one sealed request and a key.
_MAX_BODY_BYTES = 64 * 1024
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_CLIENT_AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"]

Handler = Callable[[Request], Awaitable[Response]]


def _refusal(status: int, error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status, headers=_NO_STORE)


def _endpoint(handler: Handler, methods: list[str], *, cors: bool) -> ASGIApp:
    """`handler` as an ASGI app with a capped body; for clients in browsers, open to every origin (no cookies)."""
    app: ASGIApp = RequestBodyLimitMiddleware(request_response(handler), _MAX_BODY_BYTES)
    if cors:
        app = CORSMiddleware(app, allow_origins=["*"], allow_methods=methods, allow_headers=["*"])
    return app


def _document(document: OAuthMetadata | ProtectedResourceMetadata) -> Handler:
    async def serve(_: Request) -> Response:
        return PydanticJSONResponse(document, headers={"Cache-Control": "public, max-age=3600"})

    return serve


async def _only_redirect_uri(provider: Provider, client_id: str) -> str | None:
    """The redirect URI a request that names none returns to: the client's only one; None if there is none."""
    client = await provider.get_client(client_id)
    if client is None:
        return None
    try:
        return str(client.validate_redirect_uri(None))
    except InvalidRedirectUriError:
        return None


def oauth_routes(provider: Provider, page: SignInPage) -> list[Route]:
    issuer = provider.issuer
    clients = provider.clients
    server_metadata = OAuthMetadata.model_validate(
        {
            "issuer": issuer.url,
            "authorization_endpoint": issuer.at("/authorize"),
            "token_endpoint": issuer.at("/token"),
            "registration_endpoint": issuer.at("/register"),
            "revocation_endpoint": issuer.at("/revoke"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": _CLIENT_AUTH_METHODS,
            "revocation_endpoint_auth_methods_supported": _CLIENT_AUTH_METHODS,
            "client_id_metadata_document_supported": True,
            "authorization_response_iss_parameter_supported": True,
        }
    )
    resource_metadata = ProtectedResourceMetadata.model_validate(
        {"resource": issuer.resource, "authorization_servers": [issuer.url], "resource_name": "Anam AI"}
    )
    authenticator = ClientAuthenticator(provider)
    sdk_authorize = AuthorizationHandler(provider)
    sdk_token = TokenHandler(provider, authenticator)
    sdk_register = RegistrationHandler(provider, ClientRegistrationOptions(enabled=True))

    async def document_refusal(request: Request, client_id: object, status: int, error: str) -> Response | None:
        """The answer to a client named by a metadata document that cannot be used; None for any other client."""
        if not isinstance(client_id, str) or not is_document_url(client_id):
            return None
        try:
            await clients.document(client_id)
        except DocumentError as exc:
            # repr: a client_id is a stranger's text, and may hold line breaks.
            log.info("Refused the client %r at %s: %s", client_id, request.url.path, exc)
            return _refusal(status, error, f"The client's metadata document cannot be used: {exc}.")
        return None

    async def authorize(request: Request) -> Response:
        params = request.query_params if request.method == "GET" else await request.form()
        client_id, redirect_uri = params.get("client_id"), params.get("redirect_uri")
        if refused := await document_refusal(request, client_id, 400, "invalid_request"):
            return refused
        if isinstance(redirect_uri, str) and not clients.policy.allows(redirect_uri):
            return _refusal(400, "invalid_request", clients.policy.refusal(redirect_uri))
        if redirect_uri is None and isinstance(client_id, str):
            # Left out, the redirect URI is the client's only registered one (the SDK's rule): it must be a place
            # this server returns to as well, since a registration may predate a narrower host list.
            resolved = await _only_redirect_uri(provider, client_id)
            if resolved is not None and not clients.policy.allows(resolved):
                return _refusal(400, "invalid_request", clients.policy.refusal(resolved))
        checked: Response = await sdk_authorize.handle(request)
        return checked

    async def token(request: Request) -> Response:
        form = await request.form()
        if refused := await document_refusal(request, form.get("client_id"), 401, "invalid_client"):
            return refused
        resource = form.get("resource")
        if isinstance(resource, str) and resource.rstrip("/") != issuer.resource:
            description = f"This server issues tokens for {issuer.resource} only, not for {resource}."
            return _refusal(400, "invalid_target", description)
        answered: Response = await sdk_token.handle(request)
        return answered

    async def revoke(request: Request) -> Response:
        if refused := await document_refusal(request, (await request.form()).get("client_id"), 401, "invalid_client"):
            return refused
        try:
            client = await authenticator.authenticate_request(request)
        except AuthenticationError as exc:
            return _refusal(401, "invalid_client", exc.message)
        token = (await request.form()).get("token")
        if not isinstance(token, str) or not token:
            return _refusal(400, "invalid_request", "Send the token to revoke as the form field token.")
        found = await provider.load_access_token(token) or await provider.load_refresh_token(client, token)
        # RFC 7009: a token that is unknown, or another client's, is answered like one revoked.
        if found is not None and found.client_id == client.client_id:
            await provider.revoke_token(found)
        return Response(status_code=200, headers=_NO_STORE)

    metadata = ["GET", "OPTIONS"]
    posted = ["POST", "OPTIONS"]
    return [
        Route(
            "/.well-known/oauth-authorization-server",
            _endpoint(_document(server_metadata), metadata, cors=True),
            methods=metadata,
        ),
        Route(
            "/.well-known/oauth-protected-resource/mcp",
            _endpoint(_document(resource_metadata), metadata, cors=True),
            methods=metadata,
        ),
        Route(
            "/.well-known/oauth-protected-resource",
            _endpoint(_document(resource_metadata), metadata, cors=True),
            methods=metadata,
        ),
        Route("/authorize", _endpoint(authorize, ["GET", "POST"], cors=False), methods=["GET", "POST"]),
        Route("/sign-in", _endpoint(page.handle, ["GET", "POST"], cors=False), methods=["GET", "POST"]),
        Route("/token", _endpoint(token, posted, cors=True), methods=posted),
        Route("/register", _endpoint(sdk_register.handle, posted, cors=True), methods=posted),
        Route("/revoke", _endpoint(revoke, posted, cors=True), methods=posted),
    ]
