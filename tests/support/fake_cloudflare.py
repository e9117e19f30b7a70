"""A fake Cloudflare API on this machine, reached by Wagtail's unmodified Cloudflare backend.

The backend posts to the literal ``https://api.cloudflare.com/client/v4/zones/<zone>/purge_cache``
(it builds the URL inside ``_purge_urls``; no setting or attribute moves it). So the fake is
an HTTPS proxy on 127.0.0.1: requests tunnels to it when ``HTTPS_PROXY`` names it (its
standard environment variable), the proxy answers the tunnel with TLS for api.cloudflare.com
under a throwaway certificate authority that ``REQUESTS_CA_BUNDLE`` trusts, then reads the
real HTTP request and answers as Cloudflare does. Nothing leaves the machine: the proxy never
connects anywhere.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "api.cloudflare.com"


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool, issuer_cert=None):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),
            critical=False,
        )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _tls_files(folder: Path) -> tuple[Path, Path, Path]:
    """A CA certificate, and a certificate and key for api.cloudflare.com that it signed."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "igivehope test CA")])
    ca_cert = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    cert = _certificate(name, ca_name, key.public_key(), ca_key, ca=False, issuer_cert=ca_cert)
    pem = serialization.Encoding.PEM
    paths = folder / "ca.pem", folder / "cloudflare.pem", folder / "cloudflare.key"
    paths[0].write_bytes(ca_cert.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


class FakeCloudflare:
    """What the fake received: ``requests`` holds one dict per purge call."""

    def __init__(self, folder: Path):
        self.ca_bundle, cert, key = _tls_files(folder)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)
        self.requests: list[dict] = []
        self.proxy_url = ""

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # quiet
                pass

            def do_CONNECT(self):
                if self.path != f"{HOST}:443":
                    self.send_error(403, "This fake only stands in for api.cloudflare.com")
                    return
                self.send_response(200, "Connection established")
                self.end_headers()
                self.wfile.flush()
                # From here on the same connection carries TLS, then the real request, which
                # BaseHTTPRequestHandler.handle() reads next with these files (http.client
                # tunnels with an HTTP/1.0 CONNECT, which would otherwise close it).
                self.close_connection = False
                self.connection = fake.tls.wrap_socket(self.connection, server_side=True)
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb", buffering=0)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append(
                    {
                        "host": self.headers.get("Host"),
                        "path": self.path,
                        "headers": dict(self.headers),
                        "json": json.loads(body),
                    }
                )
                zone = self.path.split("/")[4] if self.path.count("/") >= 4 else ""
                answer = json.dumps(
                    {"success": True, "errors": [], "messages": [], "result": {"id": zone}}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        return Handler

    @contextlib.contextmanager
    def running(self):
        server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.proxy_url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

    def purged_urls(self) -> set[str]:
        return {url for request in self.requests for url in request["json"]["files"]}
