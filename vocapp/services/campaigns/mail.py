"""Building invitation e-mails (Jinja, HTML + text, headers, DKIM) and handing them to SMTP or an outbox."""
from __future__ import annotations

import binascii
import functools
import os
import re
import secrets
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import current_app

from vocapp.core.campaigns.messages import fill, one_line, paragraphs, phrases
from vocapp.errors import VocappError

_LEADING_DOT = re.compile(rb"(?m)^\.")


class MailSetupError(VocappError):
    """The mail settings cannot be used (e.g. an unreadable DKIM key)."""


class TemporaryFailure(Exception):
    """The server did not take the message this time (4xx, or the connection dropped before the end of
    DATA): safe to retry."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx)."""


class UnknownOutcome(Exception):
    """The connection dropped after the whole message was sent but before the server's reply: it may
    or may not have been accepted, so it is not retried (at most once)."""


@dataclass
class Rendered:
    """One e-mail ready to go: envelope, Message-ID and the bytes to send."""

    to: str
    message_id: str
    data: bytes


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip(">") or "vocapp.invalid"


@functools.lru_cache(maxsize=16)
def _address(value: str) -> str:
    """The bare address of a setting such as ``Surveys <surveys@example.org>``."""
    return parseaddr(value)[1] or value


def _header(name: str, value: str) -> bytes:
    """One header line (CRLF, folded): plain when ASCII and short, RFC 2047 UTF-8 words otherwise. Line
    breaks in values are spaces (no header injection)."""
    value = value.replace("\r", " ").replace("\n", " ")
    if not value.isascii() and name in ("From", "To"):  # encode the display name only, never the address
        return f"{name}: {formataddr(parseaddr(value), charset='utf-8')}\r\n".encode("ascii")
    if value.isascii() and len(name) + len(value) <= 76:
        return f"{name}: {value}\r\n".encode("ascii")
    header = Header(value, "utf-8" if not value.isascii() else "us-ascii", header_name=name)
    return f"{name}: {header.encode(linesep=chr(13) + chr(10))}\r\n".encode("ascii")


def _text_part(content_type: str, text: str) -> bytes:
    """A UTF-8 quoted-printable body part (binascii's C encoder; CRLF line ends)."""
    body = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True).replace(b"\n", b"\r\n")
    return (f'Content-Type: {content_type}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n'
            f"\r\n").encode("ascii") + body


def render_message(kind: str, values: dict[str, str], language: str, subject: str, body: str,
                   survey_url: str, unsubscribe_url: str, unsubscribe_token: str, to: str,
                   config: dict[str, Any] | None = None, message_id: str | None = None,
                   subject_prefix: str = "") -> Rendered:
    """The invitation (``kind`` "invitation") or reminder e-mail for one contact.

    ``subject``/``body`` are the campaign's staff-written text (empty: the default wording in
    ``language``); placeholders are filled from ``values``; both parts escape it (HTML autoescaped,
    staff text never evaluated as a template). ``message_id``: keep this Message-ID (a resend);
    ``subject_prefix`` goes before the filled subject (a staff test message's "[Test] ").
    The MIME structure (multipart/alternative, text then HTML, quoted-printable UTF-8) is written
    directly: the email package's generator took most of the send time (see docs/campaigns.md)."""
    config = config or current_app.config
    words = phrases(language)
    subject_text = one_line(subject_prefix + fill(subject or words[f"{kind}_subject"], values))
    body_text = fill(body or words[f"{kind}_body"], values)
    context = {"paragraphs": paragraphs(body_text), "body": body_text.strip(), "words": words,
               "closes": fill(words["closes"], values) if values.get("closing_date") else "",
               "survey_url": survey_url, "unsubscribe_url": unsubscribe_url, "language": language}
    sender = config["MAIL_FROM"]
    message_id = message_id or make_msgid(domain=_domain(sender))
    mailto = _address(config.get("MAIL_UNSUBSCRIBE_MAILTO") or sender)
    boundary = f"==vocapp-{secrets.token_hex(12)}"
    environment = current_app.jinja_env  # the .html template is autoescaped, as with render_template
    text = environment.get_template("campaigns/email/message.txt").render(context)
    html = environment.get_template("campaigns/email/message.html").render(context)
    unsubscribe = f"<{unsubscribe_url}>,\r\n <mailto:{mailto}?subject={quote('unsubscribe ' + unsubscribe_token)}>"
    data = b"".join([
        _header("Subject", subject_text), _header("From", sender), _header("To", to),
        _header("Date", formatdate(localtime=False, usegmt=True)), _header("Message-ID", message_id),
        f"List-Unsubscribe: {unsubscribe}\r\n".encode("ascii"),
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nAuto-Submitted: auto-generated\r\n",
        f'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode("ascii"),
        f"--{boundary}\r\n".encode("ascii"), _text_part("text/plain", text),
        f"\r\n--{boundary}\r\n".encode("ascii"), _text_part("text/html", html),
        f"\r\n--{boundary}--\r\n".encode("ascii")])
    return Rendered(to=to, message_id=message_id, data=dkim_sign(data, config))


_DKIM_KEYS: dict[str, bytes] = {}
DKIM_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe", b"list-unsubscribe-post",
                b"mime-version", b"content-type"]


def dkim_sign(data: bytes, config: dict[str, Any]) -> bytes:
    """``data`` with a DKIM-Signature header prepended when a key, selector and domain are configured."""
    key_file, selector, domain = config.get("DKIM_KEY_FILE"), config.get("DKIM_SELECTOR"), config.get("DKIM_DOMAIN")
    if not (key_file and selector and domain):
        return data
    import dkim

    if key_file not in _DKIM_KEYS:
        try:
            _DKIM_KEYS[key_file] = Path(key_file).read_bytes()
        except OSError as exc:
            raise MailSetupError(f"VOCAPP_DKIM_KEY_FILE {key_file}: {exc.strerror}") from exc
    signature = dkim.sign(data, selector.encode(), domain.encode(), _DKIM_KEYS[key_file],
                          include_headers=DKIM_HEADERS, canonicalize=(b"relaxed", b"relaxed"),
                          linesep=b"\r\n")
    return signature + data


def tls_context(config: dict[str, Any]) -> ssl.SSLContext:
    """The client TLS context: the system's CAs, or VOCAPP_SMTP_CA_FILE's; certificates and host names
    are always verified."""
    ca_file = config.get("SMTP_CA_FILE") or None
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise MailSetupError(f"VOCAPP_SMTP_CA_FILE {ca_file}: cannot read it as PEM certificates ({exc})") from exc


class SMTPTransport:
    """One SMTP connection (STARTTLS or implicit TLS, optional login) for a batch of messages.

    Settings that cannot work (certificate not verified, STARTTLS required but not offered, a login
    without TLS, a refused login) raise MailSetupError: retrying would not help, and nothing is sent."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def open(self) -> None:
        config = self.config
        host, port, timeout = config["SMTP_HOST"], int(config["SMTP_PORT"]), float(config.get("SMTP_TIMEOUT", 30))
        where, user = f"the SMTP server {host}:{port}", config.get("SMTP_USERNAME")
        if user and not (config.get("SMTP_SSL") or config.get("SMTP_STARTTLS")):
            raise MailSetupError("VOCAPP_SMTP_USERNAME is set but neither VOCAPP_SMTP_STARTTLS nor VOCAPP_SMTP_SSL: "
                                 "vocapp never sends a password in clear; turn one of them on")
        context = tls_context(config) if config.get("SMTP_SSL") or config.get("SMTP_STARTTLS") else None
        try:
            if config.get("SMTP_SSL"):
                self.connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
            else:
                self.connection = smtplib.SMTP(host, port, timeout=timeout)
                if config.get("SMTP_STARTTLS"):
                    self.connection.ehlo()
                    if not self.connection.has_extn("starttls"):
                        raise MailSetupError(f"{where} does not offer STARTTLS, which VOCAPP_SMTP_STARTTLS requires: "
                                             "nothing was sent (no message or password goes out in clear)")
                    self.connection.starttls(context=context)
            self.connection.ehlo_or_helo_if_needed()
            if user:
                self.connection.login(user, config.get("SMTP_PASSWORD") or "")
        except MailSetupError:
            self.close()
            raise
        except ssl.SSLCertVerificationError as exc:
            self.close()
            raise MailSetupError(f"{where}: its TLS certificate cannot be verified ({exc.verify_message}); if it is "
                                 "signed by your own CA, name that CA's PEM file in VOCAPP_SMTP_CA_FILE") from exc
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise MailSetupError(f"{where} refused the login of {user!r} ({_reply(exc.smtp_code, exc.smtp_error)}); "
                                 "check VOCAPP_SMTP_USERNAME and VOCAPP_SMTP_PASSWORD") from exc
        except smtplib.SMTPNotSupportedError as exc:
            self.close()
            raise MailSetupError(f"{where} does not offer what the settings need: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TemporaryFailure(f"cannot connect to {host}:{port}: {exc}") from exc

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def send(self, sender: str, message: Rendered, name: str) -> str:
        """Send one message; returns the server's reply. Raises TemporaryFailure, PermanentFailure or
        UnknownOutcome. MAIL, RCPT and DATA are separate steps so that only a connection lost while
        waiting for the final reply is ambiguous."""
        if self.connection is None:
            self.open()
        smtp = self.connection
        try:
            for command, argument in (("mail", sender), ("rcpt", message.to)):
                code, reply = getattr(smtp, command)(argument)
                _check(code, reply, smtp)
            code, reply = smtp.docmd("data")
            if code != 354:
                _check(code if code >= 400 else 451, reply, smtp)
            body = _LEADING_DOT.sub(b"..", message.data)
            smtp.send(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.connection = None
            raise TemporaryFailure(f"connection lost before the message was complete: {exc}") from exc
        try:
            code, reply = smtp.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.connection = None
            raise UnknownOutcome(f"connection lost waiting for the reply to the message: {exc}") from exc
        _check(code, reply, smtp)
        return _reply(code, reply)


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"


def _check(code: int, reply: bytes, smtp: smtplib.SMTP) -> None:
    if code < 400:
        return
    try:
        smtp.rset()
    except (OSError, smtplib.SMTPException):
        pass
    raise (PermanentFailure if code >= 500 else TemporaryFailure)(_reply(code, reply))


class OutboxTransport:
    """Writes each message as ``<name>.eml`` into a folder instead of sending it (VOCAPP_MAIL_OUTBOX)."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)

    def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        pass

    def send(self, sender: str, message: Rendered, name: str) -> str:
        path = self.folder / f"{name}.eml"
        partial = path.with_suffix(".eml.part")
        partial.write_bytes(message.data)
        partial.replace(path)
        return f"250 written to {path}"


def transport(config: dict[str, Any]) -> SMTPTransport | OutboxTransport:
    """The outbox when VOCAPP_MAIL_OUTBOX is set, else SMTP."""
    return OutboxTransport(config["MAIL_OUTBOX"]) if config.get("MAIL_OUTBOX") else SMTPTransport(config)


class Throttle:
    """At most ``per_minute`` messages a minute (0: no limit), spaced evenly."""

    def __init__(self, per_minute: int) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.next_at = 0.0

    def delay(self) -> float:
        """Seconds to wait before the next message (and count that message as sent then)."""
        if not self.interval:
            return 0.0
        now = time.monotonic()
        wait = max(0.0, self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval
        return wait
