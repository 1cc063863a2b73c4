"""OAuth clients: registered ones (RFC 7591, kept in the store), ones named by a metadata document URL, and
where any of them may send a person back to.

A redirect URI must be registered (or listed in the document) exactly, and its host must be one this server
returns to: an https host in ANAM_OAUTH_REDIRECT_HOSTS, or this machine over http on any port (Claude Code,
VS Code, the MCP Inspector). Every redirect URI of a registration or a document must be such a one, and the
provider checks again the one a sign-in resolves to (a registration may predate a narrower host list).
Claude registers a new client on every fresh connection, so a registration lasts as long as a grant keeps
using it, then expires. A registered client's secret is stored sealed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from mcp.server.auth.provider import RegistrationError
from mcp.shared.auth import OAuthClientInformationFull

from ...net import is_loopback
from .cimd import DocumentError, MetadataDocuments, is_document_url
from .sealing import Sealer
from .store import Store

__all__ = ["CLIENT_LIFETIME_SECONDS", "Clients", "RedirectPolicy"]

# How long a registration lasts unused: as long as a refresh token, renewed by each use of its grant.
CLIENT_LIFETIME_SECONDS = 30 * 24 * 3600


class RedirectPolicy:
    """Where a client may send a person back to, by host."""

    def __init__(self, https_hosts: Iterable[str]) -> None:
        self.https_hosts = tuple(https_hosts)

    def allows(self, uri: str) -> bool:
        parts = urlsplit(uri)
        if parts.fragment or parts.username is not None:
            return False
        if parts.scheme == "http":
            return is_loopback(parts.hostname)
        return parts.scheme == "https" and (parts.hostname or "") in self.https_hosts

    def refusal(self, uri: str) -> str:
        """Why `uri` is not a place to return to, in words that say what would be."""
        return f"This server does not send people back to {uri}: {self.rule()}."

    def rule(self) -> str:
        """Which redirect URIs this server returns to."""
        hosts = ", ".join(self.https_hosts) or "none"
        return (
            f"redirect URIs must be https on one of the hosts in ANAM_OAUTH_REDIRECT_HOSTS ({hosts}), "
            "or http on this machine (localhost, 127.0.0.1)"
        )


class Clients:
    """Finds and registers clients."""

    def __init__(self, store: Store, sealer: Sealer, documents: MetadataDocuments, policy: RedirectPolicy) -> None:
        self._store = store
        self._sealer = sealer
        self.documents = documents
        self.policy = policy

    async def get(self, client_id: str) -> OAuthClientInformationFull | None:
        """A registered client, or the one a metadata document describes; None when unknown or unusable.

        A document that cannot be used is reported by the endpoints before they ask for the client (see
        routes.py); here it is simply no client.
        """
        if is_document_url(client_id):
            try:
                return await self.document(client_id)
            except DocumentError:
                return None
        data = await self._store.get_client(client_id)
        if data is None:
            return None
        client = OAuthClientInformationFull.model_validate_json(data)
        if client.client_secret is not None:
            opened = self._sealer.open_text(client.client_secret, client.client_id.encode())
            client.client_secret = opened.decode() if opened is not None else None
        return client

    async def document(self, url: str) -> OAuthClientInformationFull:
        """The client the metadata document at `url` describes; DocumentError, saying why, if it cannot be used."""
        client = await self.documents.client(url)
        for uri in client.redirect_uris or []:
            if not self.policy.allows(str(uri)):
                raise DocumentError(
                    f"the document at {url} lists {uri}, where this server does not send people back: "
                    f"{self.policy.rule()}"
                )
        return client

    async def register(self, client: OAuthClientInformationFull) -> None:
        """Keep a client that registered itself, once every redirect URI it gave is one this server returns to."""
        for uri in client.redirect_uris or []:
            if not self.policy.allows(str(uri)):
                raise RegistrationError("invalid_redirect_uri", self.policy.refusal(str(uri)))
        await self.keep(client)

    async def keep(self, client: OAuthClientInformationFull) -> None:
        """Keep a registered client for another lifetime from now (each use of one of its grants renews it)."""
        if is_document_url(client.client_id):
            return
        stored = client.model_copy()
        if client.client_secret is not None:
            stored.client_secret = self._sealer.seal_text(client.client_secret.encode(), client.client_id.encode())
        await self._store.put_client(
            client.client_id, stored.model_dump_json(exclude_none=True).encode(), time.time() + CLIENT_LIFETIME_SECONDS
        )
