"""The API's paged reads. Every list is in a stable order on a unique key and paged by an opaque
cursor (the last key seen, base64url JSON); rows of accounts and responses are the export rows
(``vocapp.services.exports``, ``vocapp.core.exports``), so a file and the API say the same thing."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

import orjson
from sqlalchemy import and_, select

from vocapp.core.canvas.metrics import METRIC_COLUMNS
from vocapp.core.exports import account_variables, option_columns, response_variables, shape_accounts, shape_responses
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import Account, Contact, Placement, PlacementRun, Response, ScoringRun, Survey
from vocapp.services.canvas_queries import latest_placement_run
from vocapp.services.exports import resolve_scope
from vocapp.services.exports.tables import ACCOUNT_NAMES, accounts_statement, responses_statement

Page = tuple[list[dict[str, Any]], str | None]


class CursorError(VocappError):
    """A cursor this API did not hand out (or for another list)."""


def encode_cursor(kind: str, key: Any) -> str:
    """An opaque cursor for ``kind`` continuing after ``key``."""
    return base64.urlsafe_b64encode(orjson.dumps([kind, key])).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> Any:
    """The key a cursor continues after (None without one); CursorError when it is not ours."""
    if not cursor:
        return None
    try:
        found, key = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError):
        raise CursorError("cursor: not a cursor this API handed out") from None
    if found != kind or not isinstance(key, (int, str)) or isinstance(key, bool):
        raise CursorError(f"cursor: not a cursor of the {kind} list")
    return key


def _paged(rows: list, limit: int, kind: str, key) -> tuple[list, str | None]:
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(kind, key(rows[-1]))
    return rows, None


def _records(frame) -> list[dict[str, Any]]:
    """A shaped export frame as JSON records (missing values null, times ISO 8601)."""
    return json.loads(frame.to_json(orient="records", date_format="iso", double_precision=15))


def account_page(limit: int, cursor: str | None = None, zone: str | None = None, relationship: str | None = None,
                 leave_alone: bool | None = None, changed_since: dt.datetime | None = None
                 ) -> tuple[int | None, list[dict[str, Any]], str | None]:
    """Accounts of the latest placement run as accounts-export rows, by account id: (run id, rows, next)."""
    after = decode_cursor("accounts", cursor)
    run = latest_placement_run()
    if run is None:
        return None, [], None
    stmt = accounts_statement(run.id)
    if after is not None:
        stmt = stmt.where(Account.external_id > str(after))
    if zone:
        stmt = stmt.where(Placement.zone == zone)
    if relationship:
        stmt = stmt.where(Placement.details["relationship"].as_string() == relationship)
    if leave_alone is not None:
        stmt = stmt.where(Placement.leave_alone.is_(leave_alone))
    if changed_since is not None and run.created_at < changed_since:
        stmt = stmt.where(Account.updated_at >= changed_since)
    rows, next_cursor = _paged(db.session.execute(stmt.limit(limit + 1)).all(), limit, "accounts", lambda r: r[0])
    return run.id, _account_records(run, rows), next_cursor


def _account_records(run: PlacementRun, rows: list) -> list[dict[str, Any]]:
    import pandas as pd

    scope = resolve_scope(run_id=run.scoring_run_id) if run.scoring_run_id else None
    constructs = scope.constructs if scope else []
    variables = account_variables(constructs, scope.definition if scope else {}, METRIC_COLUMNS)
    raw = pd.DataFrame([tuple(row) for row in rows], columns=ACCOUNT_NAMES)
    return _records(shape_accounts(raw, variables, constructs, METRIC_COLUMNS, run.scoring_run_id, run.id))


def account_rows(external_ids: list[str], placement_run_id: int | None = None) -> list[dict[str, Any]]:
    """The rows ``GET /api/v1/accounts`` gives (the accounts export's) for these accounts (CRM ids) in a
    placement run (default the latest), by account id; [] without a run. For event payloads."""
    run = db.session.get(PlacementRun, placement_run_id) if placement_run_id else latest_placement_run()
    if run is None or not external_ids:
        return []
    rows = db.session.execute(accounts_statement(run.id).where(Account.external_id.in_(list(external_ids)))).all()
    return _account_records(run, rows)


def contact_page(limit: int, cursor: str | None = None, relationship: str | None = None,
                 leave_alone: bool | None = None, changed_since: dt.datetime | None = None) -> Page:
    """Contacts never erased, by id, in the contacts-import shape with reachability and leave-alone."""
    after = decode_cursor("contacts", cursor)
    run = latest_placement_run()
    stmt = (select(Contact, Account.external_id, Account.name, Placement.leave_alone_reason)
            .join(Account, Account.id == Contact.account_id)
            .outerjoin(Placement, and_(Placement.account_id == Contact.account_id,
                                       Placement.run_id == (run.id if run else -1), Placement.leave_alone.is_(True)))
            .where(Contact.erased_at.is_(None)).order_by(Contact.id))
    if after is not None:
        stmt = stmt.where(Contact.id > int(after))
    if relationship:
        stmt = stmt.where(Contact.relationship == relationship)
    if leave_alone is not None:
        stmt = stmt.where(Placement.id.is_not(None) if leave_alone else Placement.id.is_(None))
    if changed_since is not None:
        stmt = stmt.where(Contact.updated_at >= changed_since)
    rows, next_cursor = _paged(db.session.execute(stmt.limit(limit + 1)).all(), limit, "contacts", lambda r: r[0].id)
    return [{"email": c.email, "first_name": c.first_name, "last_name": c.last_name, "account_id": external_id,
             "account_name": name, "relationship": c.relationship, "role": c.role, "language": c.language,
             "attributes": c.attributes or {}, "unsubscribed": c.unsubscribed_at is not None,
             "bounced": c.bounced_at is not None, "complained": c.complained_at is not None,
             "leave_alone_reason": reason, "updated_at": c.updated_at}
            for c, external_id, name, reason in rows], next_cursor


def response_page(limit: int, cursor: str | None = None, survey: str | None = None,
                  changed_since: dt.datetime | None = None) -> tuple[str, list[dict[str, Any]], str | None]:
    """Responses to a survey (default: the latest scored) as responses-export rows, by id."""
    import pandas as pd

    after = decode_cursor("responses", cursor)
    scope = resolve_scope(survey)
    stmt = responses_statement(scope)
    if after is not None:
        stmt = stmt.where(Response.id > int(after))
    if changed_since is not None:
        stmt = stmt.where(Response.updated_at >= changed_since)
    rows, next_cursor = _paged(db.session.execute(stmt.limit(limit + 1)).all(), limit, "responses", lambda r: r[0])
    names = ["response_id", "external_id", "version", "source", "status", "submitted_at", "duration_seconds",
             "answers"]
    raw = pd.DataFrame([tuple(row) for row in rows], columns=names)
    shaped = shape_responses(raw, response_variables(scope.definitions), option_columns(scope.definitions))
    return scope.survey.slug, _records(shaped), next_cursor


def scoring_run_page(limit: int, cursor: str | None = None) -> Page:
    """Scoring runs, newest first, with their evidence (the stored diagnostics)."""
    before = decode_cursor("scoring-runs", cursor)
    stmt = select(ScoringRun, Survey.slug).join(Survey, Survey.id == ScoringRun.survey_id).order_by(ScoringRun.id.desc())
    if before is not None:
        stmt = stmt.where(ScoringRun.id < int(before))
    rows, next_cursor = _paged(db.session.execute(stmt.limit(limit + 1)).all(), limit, "scoring-runs",
                               lambda r: r[0].id)
    return [{"id": run.id, "survey": slug, "created_at": run.created_at, "status": run.status, "message": run.message,
             "method": run.method, "rotation": run.rotation, "refit": run.refit,
             "based_on_run_id": run.based_on_run_id, "n_responses": run.n_responses, "n_flagged": run.n_flagged,
             "evidence": orjson.loads(orjson.dumps(run.diagnostics or {}))} for run, slug in rows], next_cursor


def placement_run_page(limit: int, cursor: str | None = None) -> Page:
    """Placement runs, newest first."""
    before = decode_cursor("placement-runs", cursor)
    stmt = select(PlacementRun).order_by(PlacementRun.id.desc())
    if before is not None:
        stmt = stmt.where(PlacementRun.id < int(before))
    rows, next_cursor = _paged(list(db.session.scalars(stmt.limit(limit + 1))), limit, "placement-runs",
                               lambda r: r.id)
    return [{"id": r.id, "created_at": r.created_at, "as_of": r.as_of, "scoring_run_id": r.scoring_run_id,
             "previous_run_id": r.previous_run_id, "summary": orjson.loads(orjson.dumps(r.summary or {}))}
            for r in rows], next_cursor


def suppression_page(limit: int, cursor: str | None = None) -> tuple[int | None, list[dict[str, Any]], str | None]:
    """Contacts of accounts the latest placement leaves alone (erased ones left out), by contact id:
    the suppression list of ``vocapp.services.canvas_queries.suppression_list``, paged."""
    after = decode_cursor("suppression", cursor)
    run = latest_placement_run()
    if run is None:
        return None, [], None
    stmt = (select(Contact.id, Contact.email, Contact.first_name, Contact.last_name, Account.external_id, Account.name,
                   Placement.leave_alone_reason)
            .join(Placement, Placement.account_id == Contact.account_id)
            .join(Account, Account.id == Contact.account_id)
            .where(Placement.run_id == run.id, Placement.leave_alone.is_(True), Contact.erased_at.is_(None))
            .order_by(Contact.id))
    if after is not None:
        stmt = stmt.where(Contact.id > int(after))
    rows, next_cursor = _paged(db.session.execute(stmt.limit(limit + 1)).all(), limit, "suppression", lambda r: r[0])
    keys = ["email", "first_name", "last_name", "account_id", "account_name", "reason"]
    return run.id, [dict(zip(keys, row[1:])) for row in rows], next_cursor


def paged_list(items: list[dict[str, Any]], limit: int, cursor: str | None, kind: str) -> Page:
    """Page a short list already sorted by descending ``id`` (campaigns)."""
    before = decode_cursor(kind, cursor)
    if before is not None:
        items = [item for item in items if item["id"] < int(before)]
    return _paged(items[:limit + 1], limit, kind, lambda item: item["id"])


__all__ = ["CursorError", "account_page", "account_rows", "contact_page", "decode_cursor", "encode_cursor", "paged_list",
           "placement_run_page", "response_page", "scoring_run_page", "suppression_page"]
