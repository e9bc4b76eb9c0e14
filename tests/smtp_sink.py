"""A real SMTP server (aiosmtpd) on a free loopback port that records what it accepts, for tests and
benchmarks; a script of replies makes chosen DATA attempts fail (e.g. {3: "421 ..."}; "DROP": accept
the message and hang up without replying)."""
from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Recorder:
    """aiosmtpd handler: keeps every accepted message (envelope recipient and bytes)."""

    def __init__(self, script: dict[int, str] | None = None, keep: bool = True) -> None:
        self.script = dict(script or {})
        self.keep = keep
        self.attempts = 0
        self.accepted = 0
        self.messages: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()
        self.on_accept = None  # called with the accepted count, after recording

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.attempts += 1
            reply = self.script.get(self.attempts)
            if reply and reply != "DROP":
                return reply
            self.accepted += 1
            if self.keep:
                self.messages.append((envelope.rcpt_tos[0], envelope.original_content or envelope.content))
            count = self.accepted
        if reply == "DROP":  # took the message, hangs up before replying: the sender cannot know
            server.transport.close()
            return "250 2.0.0 OK queued (never heard)"
        if self.on_accept:
            self.on_accept(count)
        return "250 2.0.0 OK queued"

    def parsed(self):
        """The accepted messages as email.message.EmailMessage objects."""
        return [message_from_bytes(data, policy=policy.default) for _, data in self.messages]

    def recipients(self) -> list[str]:
        return [to for to, _ in self.messages]


class Login:
    """aiosmtpd authenticator accepting one user name and password; records every attempt and whether it
    came over TLS."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()
        self.attempts: list[tuple[str, bool]] = []  # (user name, over TLS)

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        over_tls = server.transport.get_extra_info("ssl_object") is not None  # STARTTLS or implicit TLS
        self.attempts.append((auth_data.login.decode(), over_tls))
        good = (auth_data.login, auth_data.password) == (self.user, self.password)
        return AuthResult(success=good, handled=False)  # aiosmtpd answers (235, or 535 on a wrong password)


class LoopbackSMTP(Controller):
    """aiosmtpd's controller bound to 127.0.0.1 on a port the system picks (port 0); keyword arguments go
    to aiosmtpd (``ssl_context`` for implicit TLS, ``tls_context``/``require_starttls`` for STARTTLS,
    ``authenticator``/``auth_required`` for AUTH)."""

    def __init__(self, handler, **kwargs) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self._socket.getsockname()[1], **kwargs)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._socket, ssl=self.ssl_context)
