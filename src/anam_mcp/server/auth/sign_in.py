"""The sign-in page at /sign-in, where /authorize sends the browser: the person proves they may use an account.

Bring-your-own-key servers ask for the person's Anam API key and check it with one cheap read from Anam;
server-key servers ask for one of ANAM_MCP_TOKENS. A wrong one is an error on the page, and no code is
issued. The form is protected against cross-site posting (a cookie that must match a hidden field, and the
Origin when a browser sends one), cannot be framed, and loads nothing from elsewhere. Wrong keys are counted
per client IP across every worker (the store), and the key is never echoed, stored in the clear or logged.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import urlsplit

from mcp.server.auth.provider import AuthorizeError
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ...accounts import SharedPool
from ...api import catalogue
from ...api.errors import AnamError, AuthenticationError, PermissionDeniedError
from ...api.transport import AnamClient
from ...config import Settings
from ...net import key_flaw
from ..credentials import Credentials, Mode
from .page import Asking, Form, error_page, sign_in_page
from .provider import Provider, SignInRequest
from .sealing import Sealer
from .store import Store

__all__ = ["SignInPage"]

log = logging.getLogger(__name__)

# Wrong keys (or tokens) from one client IP before it must wait; successes are not counted, so a team behind
# one address can all sign in.
_MAX_FAILURES = 10
_WINDOW_SECONDS = 600
_MAX_KEY_CHARS = 1024
_COOKIE_SECONDS = 600


class SignInPage:
    """GET shows the form for a sealed sign-in request; POST checks what the person typed and returns them."""

    def __init__(
        self, provider: Provider, credentials: Credentials, settings: Settings, store: Store, sealer: Sealer
    ) -> None:
        self._provider = provider
        self._credentials = credentials
        self._settings = settings
        self._store = store
        self._sealer = sealer
        self._pool = SharedPool()
        secure = provider.issuer.url.startswith("https://")
        # A __Host- cookie is this origin's alone; browsers accept the prefix over https only.
        self._cookie = "__Host-anam-sign-in" if secure else "anam-sign-in"
        self._secure = secure

    async def aclose(self) -> None:
        await self._pool.close()

    async def handle(self, request: Request) -> Response:
        return await (self._show(request) if request.method == "GET" else self._submit(request))

    async def _show(self, request: Request) -> Response:
        sealed = request.query_params.get("request", "")
        sign_in = self._provider.open_request(sealed)
        if sign_in is None:
            return _expired()
        csrf = secrets.token_urlsafe(32)
        response = self._form(sign_in, sealed, csrf, None, 200)
        response.set_cookie(
            self._cookie, csrf, max_age=_COOKIE_SECONDS, path="/", secure=self._secure, httponly=True, samesite="strict"
        )
        return response

    async def _submit(self, request: Request) -> Response:
        form = await request.form()
        sealed, csrf, key, action = (str(form.get(name) or "") for name in ("request", "csrf", "key", "action"))
        cookie = request.cookies.get(self._cookie, "")
        origin = request.headers.get("origin")
        forged = not (cookie and csrf and hmac.compare_digest(cookie.encode(), csrf.encode()))
        if forged or (origin is not None and origin != self._provider.issuer.url):
            return _stop(
                403,
                "This form could not be checked",
                "It was not sent from this sign-in page, or its cookie is missing. Go back to your app and connect "
                "again.",
            )
        sign_in = self._provider.open_request(sealed)
        if sign_in is None:
            return _expired()
        try:
            if action == "deny":
                return _redirect(
                    self._provider.answer(sign_in, error="access_denied", error_description="Sign-in cancelled.")
                )
            return await self._sign_in(request, sign_in, sealed, csrf, key)
        except AuthorizeError as exc:
            log.warning("Sign-in refused for %r: %s", sign_in.client_name, exc.error_description)
            return _stop(400, "This app cannot be signed in to here", exc.error_description or exc.error)

    async def _sign_in(self, request: Request, sign_in: SignInRequest, sealed: str, csrf: str, key: str) -> Response:
        """Check `key` and, if it signs in, issue the code and send the person back to the client."""
        client = request.client.host if request.client else "unknown"
        failures = self._sealer.digest(f"sign-in failures {client}")
        if await self._store.failures(failures) >= _MAX_FAILURES:
            message = "Too many wrong attempts from your network: wait ten minutes, then try again."
            return self._form(sign_in, sealed, csrf, message, 429)
        problem, status = await self._refusal(key.strip())
        if problem is not None:
            if status == 401:
                await self._store.count_failure(failures, _WINDOW_SECONDS)
            log.info("Sign-in refused for %r (returns to %s): %s", sign_in.client_name, _host(sign_in), problem)
            return self._form(sign_in, sealed, csrf, problem, status)
        location = await self._provider.issue_code(sign_in, key.strip())
        log.info("Signed in: %r (returns to %s)", sign_in.client_name, _host(sign_in))
        return _redirect(location)

    async def _refusal(self, key: str) -> tuple[str | None, int]:
        """Why `key` does not sign in, with the page's status; (None, 200) when it does."""
        if self._credentials.mode is Mode.TOKENS:
            if not key or self._credentials.refusal(key) is not None:
                return "This is not one of this server's access tokens. Ask whoever runs it for one.", 401
            return None, 200
        if not key:
            return "Paste your Anam API key.", 400
        if len(key) > _MAX_KEY_CHARS or (flaw := key_flaw(key)):
            what = "is far too long" if len(key) > _MAX_KEY_CHARS else f"contains {flaw}"
            return f"This key {what}, which an Anam API key never does: copy it again from Anam Lab.", 400
        settings = self._settings.model_copy(update={"api_key": SecretStr(key)})
        try:
            async with AnamClient(settings, transport=self._pool) as client:
                await catalogue.count(client, catalogue.AVATARS)
        except (AuthenticationError, PermissionDeniedError):
            return "Anam did not accept this key. Check that you copied all of it, from Anam Lab → API keys.", 401
        except AnamError:
            return "Anam could not be reached to check the key. Try again in a moment.", 503
        return None, 200

    def _form(self, sign_in: SignInRequest, sealed: str, csrf: str, error: str | None, status: int) -> Response:
        asking: Asking = "team token" if self._credentials.mode is Mode.TOKENS else "anam key"
        form = Form(sign_in.client_name, _host(sign_in), asking, sealed, csrf, error)
        nonce = secrets.token_urlsafe(16)
        # The form posts here, then its answer redirects to the client: both are form targets to allow.
        target = urlsplit(sign_in.redirect_uri)
        return _html(sign_in_page(form, nonce), status, nonce, f"'self' {target.scheme}://{_host(sign_in)}")


def _host(sign_in: SignInRequest) -> str:
    """Where the person returns to: the redirect URI's host, and its port if it has one."""
    target = urlsplit(sign_in.redirect_uri)
    return f"{target.hostname}:{target.port}" if target.port else str(target.hostname)


def _html(page: str, status: int, nonce: str, form_action: str = "'none'") -> Response:
    policy = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; form-action {form_action}; frame-ancestors 'none'; "
        "base-uri 'none'"
    )
    headers = {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    return HTMLResponse(page, status, headers)


def _stop(status: int, title: str, message: str) -> Response:
    nonce = secrets.token_urlsafe(16)
    return _html(error_page(title, message, nonce), status, nonce)


def _expired() -> Response:
    return _stop(400, "This sign-in has expired", "Go back to your app and connect again.")


def _redirect(location: str) -> Response:
    # 303: the browser follows a POST's answer with a GET.
    return RedirectResponse(location, 303, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
