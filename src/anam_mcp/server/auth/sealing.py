"""The sign-in's cryptography, all derived from ANAM_OAUTH_SECRET: sealing (AES-GCM) and digests (HMAC-SHA256).

What is stored or handed out in the open is sealed or digested here: a caller's Anam key is stored only
sealed, tokens and codes only as digests, and a sign-in request travels to the page sealed, so nobody can
alter it on the way. Every worker and machine given the same secret opens what the others sealed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["Sealer", "mint"]

_NONCE_BYTES = 12


def mint(prefix: str) -> str:
    """A new token: `prefix` (which says what it is, in a log or a support request) and 256 random bits."""
    return prefix + secrets.token_urlsafe(32)


def _derived(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"anam-mcp oauth v1 " + purpose).derive(
        secret.encode()
    )


class Sealer:
    """Seals and opens bytes, and digests tokens, with keys derived from one secret (one key per purpose)."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(_derived(secret, b"sealing"))
        self._digest_key = _derived(secret, b"digests")

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        """`plaintext` encrypted and authenticated, bound to `context`: it opens only with the same context."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes) -> bytes | None:
        """What `seal` sealed with `context`; None if it was altered, sealed under another secret or context."""
        try:
            return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], context)
        except (InvalidTag, ValueError):
            return None

    def seal_text(self, plaintext: bytes, context: bytes) -> str:
        """`seal`, as URL-safe text (for a query string or a form field)."""
        return base64.urlsafe_b64encode(self.seal(plaintext, context)).decode().rstrip("=")

    def open_text(self, sealed: str, context: bytes) -> bytes | None:
        """`open` for what `seal_text` gave; None for anything else."""
        try:
            raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
        except (binascii.Error, ValueError):
            return None
        return self.open(raw, context)

    def digest(self, token: str) -> bytes:
        """The keyed digest a token or code is stored under: without the secret, a stolen store confirms nothing."""
        return hmac.new(self._digest_key, token.encode("utf-8", "surrogateescape"), hashlib.sha256).digest()
