"""A real webhook receiver on loopback (port 0) that checks every delivery with the ``standardwebhooks``
library, as a customer's receiver would, and answers with scripted status codes."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    """``Receiver(statuses=[500, 500])``: answers those codes to the first verified deliveries, then 200.

    ``received`` lists every request: its headers, body, whether the signature verified, the answer."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0, tls: tuple[str, str] | None = None,
                 host: str = "127.0.0.1") -> None:
        self.secret: str | None = None
        self.statuses = list(statuses or [])
        self.delay = delay
        self.received: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items()}
                status, payload = receiver.answer(body, headers)
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.scheme, self.host = ("https" if tls else "http"), host
        if tls:  # certificate file and key file
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """Verify the signature with standardwebhooks; 400 when it fails, else the scripted status."""
        try:
            payload = Webhook(self.secret).verify(body, headers)
            verified = True
        except (WebhookVerificationError, ValueError, TypeError):
            payload, verified = None, False
        with self.lock:
            status = (self.statuses.pop(0) if self.statuses else 200) if verified else 400
            self.received.append({"headers": {k.lower(): v for k, v in headers.items()}, "body": body,
                                  "verified": verified, "payload": payload, "status": status})
        return status, (b"accepted" if status < 300 else b"rejected: " + (b"bad signature" if not verified else b"busy"))

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.server.server_port}/hook"

    def accepted(self) -> list[dict]:
        """The verified deliveries answered with 2xx."""
        with self.lock:
            return [r for r in self.received if r["verified"] and r["status"] < 300]

    def payloads(self, event_type: str) -> list[dict]:
        """The verified payloads of one event type (every attempt counts)."""
        with self.lock:
            return [r["payload"] for r in self.received if r["verified"] and r["payload"]["type"] == event_type]

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def as_json(body: bytes) -> dict:
    return json.loads(body)


def make_certificates(folder, name: str) -> tuple[str, str, str]:
    """A test certificate authority and a server certificate for DNS name ``name`` signed by it:
    (CA file, certificate file, key file), PEM."""
    import datetime as dt
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder, now = Path(folder), dt.datetime.now(dt.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vocapp test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / f"{name}.pem", folder / f"{name}.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return tuple(str(p) for p in paths)
