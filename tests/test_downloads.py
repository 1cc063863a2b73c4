"""Downloads a user asks for by URL: https only, public addresses only (redirects checked at every hop), a size
cap; a local test server is admitted only by naming it, never by weakening the default."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from anam_mcp.downloads import DownloadError, download

from .tls_server import Document, TlsServer, tls_server

pytestmark = pytest.mark.anyio

MB = 1024 * 1024


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TlsServer]:
    with tls_server(tmp_path, {"/guide.md": Document(b"# Egypt room\nMummies.\n", "text/markdown")}) as running:
        yield running


async def test_a_document_on_an_admitted_test_server_is_downloaded(server: TlsServer) -> None:
    got = await download(
        f"{server.origin}/guide.md?sig=secret",
        max_bytes=MB,
        timeout_seconds=10,
        allowed_private=[server.host],
        ca_file=server.ca_file,
    )
    try:
        assert await anyio.Path(got.path).read_bytes() == b"# Egypt room\nMummies.\n"
        assert (got.filename, got.content_type, got.size) == ("guide.md", "text/markdown", 22)
    finally:
        await anyio.Path(got.path).unlink()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_loopback_is_refused_by_default(server: TlsServer, host: str) -> None:
    with pytest.raises(DownloadError, match="private or local address"):
        await download(
            f"https://{host}:{server.port}/guide.md", max_bytes=MB, timeout_seconds=10, ca_file=server.ca_file
        )
    assert server.requests == []


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://example.com/a.pdf", "not an https:// URL"),
        ("file:///etc/passwd", "not an https:// URL"),
        ("https://user:pw@example.com/a.pdf", "user name or password"),
        ("https://10.1.2.3/a.pdf", "private or local address"),
        ("https://169.254.169.254/latest/meta-data", "private or local address"),
        ("https://[::1]/a.pdf", "private or local address"),
        ("https://example.com:99999/a.pdf", "not a valid URL"),
        ("https://[::1/a.pdf", "not a valid URL"),
    ],
)
async def test_urls_that_are_not_public_https_are_refused_before_any_connection(url: str, words: str) -> None:
    with pytest.raises(DownloadError, match=words):
        await download(url, max_bytes=MB, timeout_seconds=10)


@pytest.fixture
def other(tmp_path: Path) -> Iterator[TlsServer]:
    """A second local server, never admitted."""
    folder = tmp_path / "other"
    folder.mkdir()
    with tls_server(folder, {"/guide.md": Document(b"internal", "text/plain")}) as running:
        yield running


def leftovers() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("anam-mcp-download-*"))


async def test_a_redirect_into_an_address_not_admitted_is_refused(server: TlsServer, other: TlsServer) -> None:
    server.documents["/moved"] = Document(location=f"{other.origin}/guide.md")
    with pytest.raises(DownloadError, match="private or local address"):
        await download(
            f"{server.origin}/moved",
            max_bytes=MB,
            timeout_seconds=10,
            allowed_private=[server.host],
            ca_file=server.ca_file,
        )
    assert server.requests == ["/moved"]
    assert other.requests == []


async def test_a_document_over_the_cap_is_refused_and_nothing_is_left_behind(server: TlsServer) -> None:
    server.documents["/big.pdf"] = Document(b"x" * (2 * MB), "application/pdf")
    before = leftovers()
    with pytest.raises(DownloadError, match="larger than the 1 MB limit"):
        await download(
            f"{server.origin}/big.pdf",
            max_bytes=MB,
            timeout_seconds=10,
            allowed_private=[server.host],
            ca_file=server.ca_file,
        )
    assert leftovers() == before


async def test_a_redirect_to_a_malformed_url_is_refused_in_words(server: TlsServer) -> None:
    server.documents["/odd"] = Document(location="https://example.com:99999/x.pdf")
    with pytest.raises(DownloadError, match="not a valid URL"):
        await download(
            f"{server.origin}/odd",
            max_bytes=MB,
            timeout_seconds=10,
            allowed_private=[server.host],
            ca_file=server.ca_file,
        )


@pytest.mark.parametrize("address", ["64:ff9b::a00:1", "2002:7f00:1::1", "::ffff:10.0.0.1"])
async def test_ipv6_forms_of_private_ipv4_addresses_are_refused(address: str) -> None:
    """NAT64, 6to4 and IPv4-mapped addresses reach the IPv4 address they carry: judged by it."""
    with pytest.raises(DownloadError, match="private or local address"):
        await download(f"https://[{address}]/a.pdf", max_bytes=MB, timeout_seconds=10)
