"""An https server on 127.0.0.1 with a certificate made for the test: the documents a user names by URL
(knowledge documents, photos, voice clips, client metadata), served where only this machine can reach them."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Document:
    """What a path answers: a body and its type, or a redirect to `location`."""

    body: bytes = b""
    content_type: str = "application/octet-stream"
    location: str | None = None
    status: int = 200


@dataclass
class TlsServer:
    port: int
    ca_file: Path
    documents: dict[str, Document] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """host:port, as settings that admit this server for tests name it."""
        return f"127.0.0.1:{self.port}"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "anam-mcp test server")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@contextmanager
def tls_server(folder: Path, documents: Mapping[str, Document] | None = None) -> Iterator[TlsServer]:
    """Serve `documents` (by path) over https on a free port of 127.0.0.1 until the block ends."""
    cert_file, key_file = _certificate(folder)
    served = TlsServer(0, cert_file, dict(documents or {}))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append(self.path)
            document = served.documents.get(self.path.split("?")[0])
            if document is None:
                self.send_error(404)
                return
            self.send_response(document.status if document.location is None else 302)
            if document.location is not None:
                self.send_header("Location", document.location)
            self.send_header("Content-Type", document.content_type)
            self.send_header("Content-Length", str(len(document.body)))
            self.end_headers()
            self.wfile.write(document.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    served.port = server.server_address[1]
    # shutdown() waits up to one poll interval for the loop to notice: keep it short, many tests start one.
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
