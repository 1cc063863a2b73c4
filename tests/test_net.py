"""The network and key helpers: loopback addresses, unusable keys, and credential fingerprints."""

from __future__ import annotations

import pytest

from anam_mcp.net import Fingerprints, is_loopback, key_flaw

SECRET = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
        ("localhost.example.com", False),
        (None, False),
    ],
)
def test_is_loopback_knows_this_machine(host: str | None, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("key", "flaw"),
    [
        ("sk-plain_key.0123", None),
        ("sk-a\nb", "a line break"),
        ("sk-a b", "a space"),
        ("sk-\u201ckey", "a non-ASCII character (such as a curly quote or a non-breaking space)"),
        ("sk-\x07", "a control character"),
    ],
)
def test_key_flaw_names_what_is_wrong_without_the_key(key: str, flaw: str | None) -> None:
    assert key_flaw(key) == flaw


def test_one_fingerprints_gives_one_credential_one_digest() -> None:
    fingerprints = Fingerprints()
    digest = fingerprints.digest("sk-caller-one")
    assert fingerprints.digest("sk-caller-one") == digest
    assert len(digest) == 32
    assert fingerprints.digest("sk-caller-two") != digest
    assert fingerprints.hexdigest("sk-caller-one") == digest.hex()
    assert "sk-caller-one" not in repr(fingerprints)


def test_random_salts_give_unrelated_digests() -> None:
    assert Fingerprints().digest("sk-caller-one") != Fingerprints().digest("sk-caller-one")


def test_fingerprints_from_one_secret_agree_everywhere() -> None:
    # As on two workers given the same ANAM_REQUEST_STATE_KEY.
    first = Fingerprints.from_secret(SECRET, "anam-mcp principal")
    second = Fingerprints.from_secret(SECRET, "anam-mcp principal")
    assert first.hexdigest("team-token-0123456789") == second.hexdigest("team-token-0123456789")
    assert Fingerprints.from_secret(SECRET, "other use").digest("x") != first.digest("x")
    assert Fingerprints.from_secret(SECRET[::-1], "anam-mcp principal").digest("x") != first.digest("x")


def test_any_decoded_credential_has_a_digest() -> None:
    # A lone surrogate is what a transport leaves of bytes that were not UTF-8; it must not raise.
    assert len(Fingerprints().digest("sk-\udcff")) == 32
