"""The network and key helpers: loopback and public addresses, unusable keys, and credential fingerprints."""

from __future__ import annotations

import ipaddress

import pytest

from anam_mcp.net import Fingerprints, Proxy, is_loopback, is_public_address, key_flaw, proxy_for

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
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("240.0.0.1", False),  # reserved
        ("224.0.0.1", False),
        ("::", False),
        ("::1", False),
        ("fe80::1", False),
        ("fe80::1%eth0", False),  # with a zone, as getaddrinfo gives it
        ("fd00::1", False),
        ("fec0::1", False),  # site-local
        ("ff02::1", False),
        ("2001:db8::1", False),  # documentation
        ("::10.0.0.1", False),  # IPv4-compatible (deprecated)
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:93.184.215.14", True),
        ("64:ff9b::10.0.0.1", False),  # NAT64, well-known prefix
        ("64:ff9b::169.254.169.254", False),
        ("64:ff9b::93.184.215.14", True),
        ("64:ff9b:1::93.184.215.14", False),  # local-use NAT64: its other IPv4 positions hold 0.x.x.x
        ("64:ff9b:1:a00:1::", False),  # 10.0.0.1 at the /48 position
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
        ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
        ("2002:5db8:d70e::1", True),  # 6to4 of 93.184.215.14
        ("2001:0:808:808::f5ff:fffe", False),  # Teredo: server 8.8.8.8, client 10.0.0.1
        ("2001:0:808:808::f7f7:fbfb", True),  # Teredo: server 8.8.8.8, client 8.8.4.4
        ("2001:0:a00:1::f7f7:fbfb", False),  # Teredo: server 10.0.0.1
    ],
)
def test_is_public_address_judges_what_an_address_reaches(address: str, public: bool) -> None:
    assert is_public_address(address) is public
    assert is_public_address(ipaddress.ip_address(address.split("%")[0])) is public


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


@pytest.mark.parametrize(
    ("environ", "proxy"),
    [
        ({}, None),
        ({"HTTPS_PROXY": "http://p:3128"}, Proxy("HTTPS_PROXY", "http://p:3128")),
        ({"HTTPS_PROXY": "p:3128"}, Proxy("HTTPS_PROXY", "http://p:3128")),  # no scheme: http://, as urllib reads it
        ({"HTTP_PROXY": "http://p:3128"}, None),  # another scheme's
        ({"ALL_PROXY": "socks5://p:1080"}, Proxy("ALL_PROXY", "socks5://p:1080")),
        ({"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1"}, Proxy("https_proxy", "http://lower:1")),
        ({"HTTPS_PROXY": "http://upper:1", "https_proxy": ""}, None),  # an empty lower-case one unsets
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "api.example.com"}, None),
        ({"HTTPS_PROXY": "http://p:1", "no_proxy": ".example.com"}, None),
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, None),
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "other.com"}, Proxy("HTTPS_PROXY", "http://p:1")),
    ],
)
def test_the_proxy_for_a_url_is_read_as_urllib_reads_the_environment(
    environ: dict[str, str], proxy: Proxy | None
) -> None:
    assert proxy_for("https://api.example.com/v1", environ) == proxy


def test_in_a_cgi_request_only_the_lower_case_http_proxy_counts() -> None:
    assert proxy_for("http://api.example.com", {"HTTP_PROXY": "http://evil:1", "REQUEST_METHOD": "GET"}) is None
    lower = {"http_proxy": "http://p:1", "REQUEST_METHOD": "GET"}
    assert proxy_for("http://api.example.com", lower) == Proxy("http_proxy", "http://p:1")
