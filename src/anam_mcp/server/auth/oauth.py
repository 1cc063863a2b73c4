"""OAuth sign-in for the HTTP server, assembled from the settings: what http.py mounts and the gate consults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from ...config import ConfigurationError, Settings
from ..credentials import Credentials
from .cimd import MetadataDocuments
from .clients import Clients, RedirectPolicy
from .issuer import Issuer, oauth_problem
from .provider import Provider
from .routes import oauth_routes
from .sealing import Sealer
from .sign_in import SignInPage
from .store import open_store
from .verifier import Bearers

__all__ = ["OAuth"]


class OAuth:
    """The authorization server (its routes and store) and the bearer check for a server with ANAM_PUBLIC_URL."""

    @classmethod
    def from_settings(cls, settings: Settings, credentials: Credentials) -> OAuth | None:
        """OAuth as the settings ask: None when ANAM_PUBLIC_URL is unset; ConfigurationError when it cannot be
        served as configured (`anam-mcp --http` says so before it gets here; an ASGI server's worker fails)."""
        if problem := oauth_problem(settings):
            raise ConfigurationError([problem])
        issuer = Issuer.of(settings)
        if issuer is None or settings.oauth_secret is None:
            return None
        return cls(settings, credentials, issuer, settings.oauth_secret.get_secret_value())

    def __init__(self, settings: Settings, credentials: Credentials, issuer: Issuer, secret: str) -> None:
        self.issuer = issuer
        sealer = Sealer(secret)
        self._store = open_store(settings.oauth_store)
        documents = MetadataDocuments(settings.oauth_test_cimd_origin, settings.oauth_test_cimd_ca_file)
        clients = Clients(self._store, sealer, documents, RedirectPolicy(settings.oauth_redirect_hosts))
        provider = Provider(issuer, self._store, sealer, clients)
        self._page = SignInPage(provider, credentials, settings, self._store, sealer)
        self.bearers = Bearers(provider, credentials, issuer)
        self._routes = oauth_routes(provider, self._page)

    def mount(self, app: Starlette) -> None:
        """Serve the OAuth endpoints from `app` (beside /mcp), and close the store when it shuts down."""
        app.router.routes.extend(self._routes)
        serve = app.router.lifespan_context

        @asynccontextmanager
        async def lifespan(served: Starlette) -> AsyncIterator[None]:
            async with serve(served):
                try:
                    yield
                finally:
                    await self.aclose()

        app.router.lifespan_context = lifespan

    async def aclose(self) -> None:
        await self._page.aclose()
        await self._store.aclose()
