"""The canvas definition in force: the newest version staff saved, else the shipped default file.

Staff edit the category mapping and the cuts in the browser; every save is validated exactly like a
definition file and stored as a new numbered version (an identical content saves nothing new), so a
placement run can always say which definition it used.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from vocapp.core.canvas import (UNMAPPED, CanvasDefinition, CanvasDefinitionError, classify_categories,
                                load_canvas_definition)
from vocapp.core.canvas.definition import build_canvas_definition
from vocapp.core.canvas.editing import definition_hash
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import CanvasDefinitionVersion, StaffUser, Transaction
from vocapp.services.staff import record_action


class CanvasDefinitionInvalid(VocappError):
    """A definition staff tried to save has problems; ``problems`` lists them, located."""

    def __init__(self, error: CanvasDefinitionError):
        self.problems = error.problems
        super().__init__(f"canvas definition has {len(error.problems)} problem(s): "
                         + "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in error.problems))


def latest_version() -> CanvasDefinitionVersion | None:
    """The newest saved version, or None when only the shipped default exists."""
    return db.session.scalars(select(CanvasDefinitionVersion).order_by(CanvasDefinitionVersion.number.desc())
                              .limit(1)).first()


def current_definition() -> CanvasDefinition:
    """The definition placements use now: the newest saved version, else the shipped default."""
    version = latest_version()
    if version is None:
        return load_canvas_definition(None)
    return build_canvas_definition(version.definition, f"canvas definition version {version.number}")


def list_versions() -> list[CanvasDefinitionVersion]:
    """Every saved version, newest first (definitions loaded on demand)."""
    return list(db.session.scalars(select(CanvasDefinitionVersion).order_by(CanvasDefinitionVersion.number.desc())))


def save_version(raw: dict, staff: StaffUser | None = None, note: str = "") -> tuple[CanvasDefinitionVersion, bool]:
    """Validate ``raw`` and store it as a new version; ``(version, created)`` (identical content: not created)."""
    try:
        build_canvas_definition(raw, "edited canvas definition")
    except CanvasDefinitionError as error:
        raise CanvasDefinitionInvalid(error) from error
    digest = definition_hash(raw)
    existing = db.session.scalar(select(CanvasDefinitionVersion).where(CanvasDefinitionVersion.content_hash == digest))
    if existing is not None:
        return existing, False
    number = (db.session.scalar(select(func.max(CanvasDefinitionVersion.number))) or 0) + 1
    version = CanvasDefinitionVersion(number=number, definition=raw, content_hash=digest, note=note[:300],
                                      created_by_id=staff.id if staff is not None else None)
    try:
        db.session.add(version)
        db.session.flush()
        record_action(staff, "canvas.definition.save", "canvas_definition", number, {"note": note[:300]})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return version, True


def transaction_categories(definition: CanvasDefinition) -> pd.DataFrame:
    """Every category in the transactions with its count and kind under ``definition`` (unmapped first)."""
    rows = db.session.execute(select(Transaction.category, func.count(Transaction.id))
                              .group_by(Transaction.category)).all()
    frame = pd.DataFrame(rows, columns=["category", "n_transactions"])
    frame["kind"] = classify_categories(frame, definition.categories).to_numpy() if len(frame) else []
    frame["unmapped"] = frame["kind"] == UNMAPPED
    return frame.sort_values(["unmapped", "category"], ascending=[False, True], ignore_index=True)


def category_rows(definition: CanvasDefinition) -> list[dict]:
    """The definition page's category table: every category in the transactions (unmapped first), then
    those the definition maps that no transaction uses yet (count 0)."""
    categories = transaction_categories(definition).to_dict("records")
    seen = {str(row["category"]).strip().lower() for row in categories}
    return categories + [{"category": name, "n_transactions": 0, "kind": kind, "unmapped": False}
                         for name, kind in sorted(definition.categories.items()) if name not in seen]
