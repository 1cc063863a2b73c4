"""Network and key helpers: is an address this machine, is a key usable, and credentials as keyed digests."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

__all__ = ["Fingerprints", "is_loopback", "key_flaw"]


def is_loopback(host: str | None) -> bool:
    """True for a name or address of this machine (IPv4, IPv6 with or without brackets, or localhost)."""
    if host is None:
        return False
    host = host.removeprefix("[").removesuffix("]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def key_flaw(key: str) -> str | None:
    """What makes `key` unusable as an API key, in words that do not reveal it; None if nothing."""
    for char in key:
        if char in "\r\n":
            return "a line break"
        if char.isspace():
            return "a space"
        if not char.isascii():
            return "a non-ASCII character (such as a curly quote or a non-breaking space)"
        if not char.isprintable():
            return "a control character"
    return None


class Fingerprints:
    """Salted HMAC-SHA256 digests of credentials (API keys, access tokens), to tell callers apart without keeping
    what they sent.

    `Fingerprints()` draws a random salt, so its digests mean nothing outside this object. Workers that must
    agree on them (one caller, one principal, whichever worker answers) use `Fingerprints.from_secret`.
    """

    def __init__(self, salt: bytes | None = None) -> None:
        """`salt`: None draws a random one (prefer `from_secret` to choosing one)."""
        self._salt = secrets.token_bytes(32) if salt is None else salt

    @classmethod
    def from_secret(cls, secret: str, purpose: str) -> Fingerprints:
        """Fingerprints salted from `secret`: the same digests wherever the same secret and `purpose` are given.

        `purpose` keeps these digests apart from anything else the same secret is used for.
        """
        return cls(hashlib.sha256(f"{purpose}\0{secret}".encode()).digest())

    def digest(self, credential: str) -> bytes:
        """The 32-byte digest of `credential`."""
        # surrogateescape: whatever a transport decoded (a URL path, a header) has a digest, never an error.
        return hmac.new(self._salt, credential.encode("utf-8", "surrogateescape"), hashlib.sha256).digest()

    def hexdigest(self, credential: str) -> str:
        """The digest of `credential` in hexadecimal (64 characters)."""
        return self.digest(credential).hex()
