"""The HTTP side of a delivery: one httpx client per sender (its connection pool keeps one connection
per receiver address alive) and one signed POST to a checked address, reading a bounded answer.

Nothing here touches the database or the app context, so a sender may run several POSTs at once in
worker threads.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import current_app

from vocapp.services.webhooks.addresses import Target

#: bytes of a response read (the rest is not waited for) and characters of it kept
READ_BYTES = 4096
EXCERPT_CHARS = 1000
USER_AGENT = "vocapp-webhooks/1"


@dataclass
class Outcome:
    """What one attempt gave."""

    outcome: str
    status_code: int | None = None
    excerpt: str | None = None
    error: str | None = None
    address: str | None = None
    duration_ms: float = 0.0


def timeout_seconds() -> float:
    """VOCAPP_WEBHOOK_TIMEOUT_SECONDS (at least 0.1)."""
    return max(0.1, float(current_app.config.get("WEBHOOK_TIMEOUT_SECONDS", 5)))


def concurrency() -> int:
    """VOCAPP_WEBHOOK_CONCURRENCY: requests one sender has in flight at once (at least 1)."""
    return max(1, int(current_app.config.get("WEBHOOK_CONCURRENCY", 4)))


def _tls_context():
    """Certificate checks: the certifi bundle, plus VOCAPP_WEBHOOK_CA_FILE's authorities when set."""
    import ssl

    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    extra = current_app.config.get("WEBHOOK_CA_FILE")
    if extra:
        context.load_verify_locations(cafile=str(extra))
    return context


def new_client() -> Any:
    """The httpx client of one sender run: no redirects, no proxy from the environment, TLS checked,
    a pool large enough for ``concurrency()`` connections per receiver."""
    import httpx

    size = concurrency()
    return httpx.Client(timeout=httpx.Timeout(timeout_seconds()), follow_redirects=False, trust_env=False,
                        verify=_tls_context(), limits=httpx.Limits(max_connections=4 * size,
                                                                    max_keepalive_connections=4 * size))


def post(client: Any, target: Target, headers: dict[str, str], body: bytes, timeout: float) -> Outcome:
    """POST ``body`` to the checked address of ``target`` (TLS checked against the host name, no
    redirects followed); reads at most READ_BYTES of the answer."""
    import httpx

    started = time.monotonic()
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    request_headers = {**headers, "host": target.host_header, "content-type": "application/json",
                       "user-agent": USER_AGENT}
    for address in target.addresses[:-1]:  # a name with several addresses: the next one if one refuses
        try:
            return _post_to(client, target, address, request_headers, extensions, body, started, timeout)
        except httpx.ConnectError:
            continue
    try:
        return _post_to(client, target, target.addresses[-1], request_headers, extensions, body, started, timeout)
    except httpx.TimeoutException as exc:
        return Outcome("timeout", error=f"no answer within {timeout:g} s ({type(exc).__name__})",
                       address=target.addresses[-1], duration_ms=(time.monotonic() - started) * 1000)
    except httpx.HTTPError as exc:
        return Outcome("connection_error", error=f"{type(exc).__name__}: {exc}"[:500], address=target.addresses[-1],
                       duration_ms=(time.monotonic() - started) * 1000)


def _post_to(client: Any, target: Target, address: str, headers: dict[str, str], extensions: dict, body: bytes,
             started: float, timeout: float) -> Outcome:
    """One POST to one checked address; the outcome (connection errors raised, for the caller)."""
    import httpx

    with client.stream("POST", target.connect_url(address), content=body, headers=headers,
                       extensions=extensions) as response:
        chunks, size = [], 0
        try:
            for chunk in response.iter_raw():
                chunks.append(chunk)
                size += len(chunk)
                if size >= READ_BYTES or time.monotonic() - started > 2 * timeout:
                    break
        except httpx.HTTPError:
            pass  # the status counts; the body is only an excerpt
        text = b"".join(chunks)[:READ_BYTES].decode("utf-8", "replace")[:EXCERPT_CHARS]
        ok = 200 <= response.status_code < 300
        return Outcome("ok" if ok else "http_error", response.status_code, text,
                       None if ok else f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                       address, (time.monotonic() - started) * 1000)
