"""The audit log: one entry per staff action worth remembering."""
from __future__ import annotations

from typing import Any

from vocapp.extensions import db
from vocapp.models import AuditEntry, StaffUser


def record_action(
    staff: StaffUser | None, action: str, target_type: str | None = None,
    target_id: object = None, details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit-log entry to the current session (the caller commits)."""
    entry = AuditEntry(
        staff_user_id=staff.id if staff is not None else None, action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id), details=details or {},
    )
    db.session.add(entry)
    return entry
