"""The server-side request forgery guard: which URLs and addresses a webhook may be sent to.

A URL is resolved here and every address it resolves to is checked; the delivery then connects to
the checked address itself (never resolving the name again), so a name that changes its answer
between check and connect (DNS rebinding) cannot slip through. Private, loopback, link-local,
multicast, reserved and unspecified addresses (IPv4 and IPv6, IPv4-mapped IPv6 unwrapped) are
refused unless an admin allowed that host: in ``VOCAPP_WEBHOOK_ALLOWED_HOSTS`` or on the endpoint.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

from vocapp.errors import VocappError

MAX_URL_LENGTH = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(VocappError):
    """The URL is malformed or leads to an address webhooks may not reach; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked webhook URL: where to connect (``address``) and what to say to it (host, path)."""

    scheme: str
    host: str
    port: int
    path: str
    #: every address the name resolved to, all checked; tried in order
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        """The Host header: the name as typed, with the port unless it is the scheme's default."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"

    def connect_url(self, address: str) -> str:
        """The URL with a checked address in place of the name (the request goes there)."""
        literal = f"[{address}]" if ":" in address else address
        return f"{self.scheme}://{literal}:{self.port}{self.path}"


def why_not_public(address: IPAddress) -> str | None:
    """Why a webhook may not reach ``address`` without an admin's allowance (None: a public address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for attribute, reason in (("is_unspecified", "unspecified"), ("is_loopback", "loopback"),
                              ("is_link_local", "link-local"), ("is_multicast", "multicast"),
                              ("is_reserved", "reserved"), ("is_private", "private")):
        if getattr(address, attribute):
            return reason
    return None if address.is_global else "not globally routable"


def parse_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a webhook URL; AddressRefused when it is not one."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise AddressRefused(f"the URL must have 1 to {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(f"the URL is not valid: {exc}") from None
    if parts.scheme not in ("https", "http"):
        raise AddressRefused("the URL must start with https://")
    if not parts.hostname:
        raise AddressRefused("the URL has no host name")
    if parts.username is not None or parts.password is not None:
        raise AddressRefused("the URL must not contain a user name or password (they would show in logs)")
    if parts.fragment:
        raise AddressRefused("the URL must not have a #fragment")
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise AddressRefused("the URL must not contain spaces or control characters")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname.lower().rstrip("."), port or (443 if parts.scheme == "https" else 80), path


def _allowed_by_setting(host: str, addresses: list[IPAddress]) -> bool:
    """Whether VOCAPP_WEBHOOK_ALLOWED_HOSTS names the host, or a network holding all its addresses."""
    names, networks = set(), []
    for entry in str(current_app.config.get("WEBHOOK_ALLOWED_HOSTS") or "").split(","):
        entry = entry.strip().lower().strip("[]")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    if host in names:
        return True
    return bool(networks) and all(any(a in n for n in networks if n.version == a.version) for a in addresses)


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an address literal: itself); AddressRefused when none."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"the host name {host} cannot be resolved ({exc})") from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise AddressRefused(f"the host name {host} has no address")
    return addresses


def check_url(url: str, allow_private_network: bool = False) -> Target:
    """Resolve and check a webhook URL; the Target to connect to, or AddressRefused saying why not.

    Every resolved address must pass (one private address among public ones is refused too).
    Plain HTTP is refused unless VOCAPP_WEBHOOK_ALLOW_HTTP_LOOPBACK is on and every address is loopback.
    """
    scheme, host, port, path = parse_url(url)
    addresses = resolve(host, port)
    allowed = allow_private_network or _allowed_by_setting(host, addresses)
    for address in addresses:
        reason = why_not_public(address)
        if reason is not None and not allowed:
            where = f"{host} is" if _is_literal(host) else f"{host} resolves to {address},"
            raise AddressRefused(f"{where} a {reason} address; webhooks go to public addresses only unless an "
                                 "admin allows this host")
    if scheme == "http":
        loopback = all(why_not_public(a) == "loopback" for a in addresses)
        if not (loopback and current_app.config.get("WEBHOOK_ALLOW_HTTP_LOOPBACK")):
            raise AddressRefused("the URL must start with https:// (plain http is allowed only to loopback "
                                 "addresses, when VOCAPP_WEBHOOK_ALLOW_HTTP_LOOPBACK is on)")
    return Target(scheme, host, port, path, tuple(str(a) for a in addresses))
