"""Delivery status notifications (RFC 3464) read with the standard library's email parser."""
from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser
from pathlib import Path

_STATUS = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})")


@dataclass(frozen=True)
class DSNRecipient:
    """One recipient's report in a DSN: its address, action, status code and the server's words."""

    address: str
    action: str
    status: str
    diagnostic: str

    @property
    def hard(self) -> bool:
        """A permanent failure: status 5.x.x (action failed)."""
        return self.status.startswith("5")

    @property
    def soft(self) -> bool:
        """A temporary problem: status 4.x.x or action delayed."""
        return self.status.startswith("4") or self.action == "delayed"


def _address(value: str | None) -> str:
    """'rfc822; Jo@Example.org' -> 'jo@example.org'."""
    text = (value or "").split(";", 1)[-1].strip().strip("<>")
    return text.lower()


def _field_blocks(part: Message) -> list[Message]:
    """The per-message and per-recipient field groups of a message/delivery-status part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    parser = BytesParser(policy=policy.compat32)
    text = payload if isinstance(payload, str) else ""
    return [parser.parsebytes(block.strip().encode() + b"\n\n") for block in re.split(r"\n\s*\n", text)
            if block.strip()]


def dsn_recipients(message: Message) -> list[DSNRecipient]:
    """The recipients a DSN reports on (empty when ``message`` is not a DSN)."""
    if message.get_content_type() != "multipart/report":
        return []
    found = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in _field_blocks(part)[1:]:  # the first group is about the message, the rest per recipient
            status = _STATUS.match(str(block.get("Status", "")))
            address = _address(block.get("Final-Recipient") or block.get("Original-Recipient"))
            if address and status:
                found.append(DSNRecipient(address, str(block.get("Action", "")).strip().lower(),
                                          ".".join(status.groups()), str(block.get("Diagnostic-Code", "")).strip()))
    return found


def read_messages(path: str | Path) -> Iterator[Message]:
    """Every message in a Maildir (a folder with cur/ and new/) or an mbox file."""
    path = Path(path)
    box = mailbox.Maildir(path, factory=None, create=False) if path.is_dir() else mailbox.mbox(path, create=False)
    parser = BytesParser(policy=policy.compat32)
    try:
        for key in box.iterkeys():
            yield parser.parsebytes(box.get_bytes(key))
    finally:
        box.close()
