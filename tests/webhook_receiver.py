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

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0) -> None:
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
        return f"http://127.0.0.1:{self.server.server_port}/hook"

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
