"""What the canvas staff pages show, read from stored placement runs: the run with its definition, a
page of the account table, the zones that changed since the previous run, and one account's page."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from vocapp.core.canvas.definition import CanvasDefinition, build_canvas_definition
from vocapp.core.constants import CONTACT_PREFERENCE_ITEM
from vocapp.extensions import db
from vocapp.models import Account, Contact, Placement, PlacementRun, Response, Transaction

from .canvas_queries import (get_placement_run, latest_placement_run, movements_between, placement_history,
                             placement_rows, unheard_estimates, zone_order)


def run_with_definition(run_id: int | None) -> tuple[PlacementRun, CanvasDefinition]:
    """Placement run ``run_id`` (latest when None) and the canvas definition it was placed with;
    CanvasError when there is no such run."""
    run = get_placement_run(run_id)
    return run, build_canvas_definition(run.definition, f"placement run {run.id}")


def table_page(run: PlacementRun, definition: CanvasDefinition, filters: dict[str, str], offset: int,
               limit: int) -> list[dict]:
    """Rows ``offset`` .. ``offset + limit`` of the account table: zone (canvas order), then opportunity
    (highest first), then the CRM's account id."""
    order = [zone_order([z.name for z in definition.zones]), Placement.opportunity.desc(), Account.external_id]
    return placement_rows(run, order_by=order, offset=offset, limit=limit, **filters).to_dict("records")


def moved_since_previous(run: PlacementRun) -> list[dict]:
    """(from_zone, to_zone, count) of accounts that changed zone since the run's previous placement."""
    if run.previous_run_id is None:
        return []
    _, _, table = movements_between(run.previous_run_id, run.id)
    return table[table["moved"]].to_dict("records")


def estimates_shown(run: PlacementRun, limit: int) -> tuple[list[dict], int]:
    """The first ``limit`` unheard accounts with an estimated readiness (table rows), and how many there are."""
    frame, n = unheard_estimates(run, limit)
    return frame.to_dict("records"), n


def latest_placement(account_id: int) -> tuple[PlacementRun | None, Placement | None]:
    """The latest placement run and this account's placement in it (None when not placed)."""
    run = latest_placement_run()
    placement = None if run is None else db.session.scalars(
        select(Placement).where(Placement.run_id == run.id, Placement.account_id == account_id)).first()
    return run, placement


def transactions_summary(account_id: int) -> list[dict]:
    """Per transaction category and currency of the account: count, total amount and latest date."""
    stmt = (select(Transaction.category, Transaction.currency, func.count(), func.sum(Transaction.amount),
                   func.max(Transaction.date))
            .where(Transaction.account_id == account_id).group_by(Transaction.category, Transaction.currency)
            .order_by(Transaction.category, Transaction.currency))
    return [{"category": c, "currency": currency, "count": n, "amount": float(total or 0), "last": last}
            for c, currency, n, total, last in db.session.execute(stmt).all()]


def account_responses(account_id: int) -> list[dict]:
    """Responses of the account's contacts, newest first: e-mail, role, time, status, stated contact
    preference and number of answers."""
    stmt = (select(Contact.email, Contact.role, Response.submitted_at, Response.status, Response.answers)
            .join(Response, Response.contact_id == Contact.id)
            .where(Contact.account_id == account_id).order_by(Response.submitted_at.desc()))
    return [{"email": email, "role": role, "submitted_at": submitted, "status": status,
             "preference": (answers or {}).get(CONTACT_PREFERENCE_ITEM), "n_answers": len(answers or {})}
            for email, role, submitted, status, answers in db.session.execute(stmt).all()]


def account_page(account_id: int) -> dict[str, Any] | None:
    """Everything the canvas account page shows (None when there is no such account): the account, the
    latest run and its placement, scores with intervals, metrics, transactions, responses, history."""
    account = db.session.get(Account, account_id)
    if account is None:
        return None
    run, placement = latest_placement(account_id)
    details = placement.details if placement is not None else {}
    return {"account": account, "run": run, "placement": placement, "details": details,
            "scores": details.get("scores") or {}, "metrics": dict(details.get("metrics") or {}),
            "transactions": transactions_summary(account_id), "responses": account_responses(account_id),
            "history": placement_history(account_id)}
