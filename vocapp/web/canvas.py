"""Analyst pages for the Customer Segmentation Canvas: picture, filters, zone table, account page."""
from __future__ import annotations

import pandas as pd
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from vocapp.core.canvas.definition import build_canvas_definition
from vocapp.extensions import db
from vocapp.models import Account, Contact, Placement, Response as SurveyResponse, Transaction
from vocapp.services.canvas_queries import (CanvasError, latest_placement_run, movements_between,
                                            placement_history, placement_table)
from vocapp.web.canvas_picture import canvas_png, canvas_svg
from vocapp.web.hygiene import int_arg
from vocapp.web.contacts import ACCOUNT_PANELS
from vocapp.web.security import role_required

bp = Blueprint("canvas", __name__)
RELATIONSHIPS = ("member", "customer", "both")


def _filtered(run_id: int | None):
    """(run, definition, constructs, all rows, filtered rows, filters) for the request's filters."""
    run, frame = placement_table(run_id)
    definition = build_canvas_definition(run.definition, f"placement run {run.id}")
    constructs = list(run.summary.get("constructs", []))
    filters = {"relationship": request.args.get("relationship", ""), "zone": request.args.get("zone", "")}
    shown = frame
    if filters["relationship"] in RELATIONSHIPS:
        shown = shown[shown["relationship"] == filters["relationship"]]
    if filters["zone"] in {z.name for z in definition.zones}:
        shown = shown[shown["zone"] == filters["zone"]]
    return run, definition, constructs, frame, shown, filters


def _run_arg() -> int | None:
    return int_arg("run")


@bp.route("/")
@role_required("analyst")
def index():
    """The canvas of the latest (or chosen) placement run with filters, zone table and account table."""
    if latest_placement_run() is None:
        return render_template("canvas/empty.html")
    try:
        run, definition, constructs, frame, shown, filters = _filtered(_run_arg())
    except CanvasError:
        abort(404)
    zones = []
    for zone in definition.zones:
        rows = frame[frame["zone"] == zone.name]
        zones.append({"zone": zone, "accounts": len(rows), "leave_alone": int(rows["leave_alone"].sum())})
    svg = canvas_svg(shown, definition, constructs, link=lambda pk: url_for("canvas.account", account_pk=pk))
    estimates = frame[~frame["heard"] & frame["estimated_readiness"].notna()]
    moved = []
    if run.previous_run_id is not None:
        _, _, table = movements_between(run.previous_run_id, run.id)
        moved = table[table["moved"]].to_dict("records")
    return render_template(
        "canvas/index.html", run=run, definition=definition, constructs=constructs, rows=shown.to_dict("records"),
        n_total=len(frame), zones=zones, svg=Markup(svg), filters=filters, relationships=RELATIONSHIPS,
        summary=run.summary, estimates=estimates.to_dict("records"), moved=moved,
        query={k: v for k, v in {**filters, "run": _run_arg()}.items() if v})


@bp.route("/place", methods=["POST"])
@role_required("analyst")
def place():
    """Place every account now (default canvas definition)."""
    from vocapp.services.canvas import place as place_accounts
    try:
        run = place_accounts(staff=current_user)
    except CanvasError as exc:
        flash(str(exc), "error")
        return redirect(url_for("canvas.index"))
    flash(f"Placement run {run.id} stored: {run.summary['n_accounts']} accounts, "
          f"{run.summary['n_flagged']} left alone.", "success")
    return redirect(url_for("canvas.index"))


@bp.route("/canvas.<any(svg, png):fmt>")
@role_required("analyst")
def download(fmt: str):
    """The canvas picture as an SVG or PNG file (same filters as the page)."""
    try:
        run, definition, constructs, _, shown, _ = _filtered(_run_arg())
    except CanvasError:
        abort(404)
    if fmt == "svg":
        body, mimetype = canvas_svg(shown, definition, constructs), "image/svg+xml"
    else:
        body, mimetype = canvas_png(shown, definition), "image/png"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="canvas-run-{run.id}.{fmt}"'})


def _transactions_summary(account_pk: int) -> list[dict]:
    stmt = (select(Transaction.category, func.count(), func.sum(Transaction.amount), func.max(Transaction.date))
            .where(Transaction.account_id == account_pk).group_by(Transaction.category)
            .order_by(Transaction.category))
    return [{"category": c, "count": n, "amount": float(total or 0), "last": last}
            for c, n, total, last in db.session.execute(stmt).all()]


def _responses(account_pk: int) -> list[dict]:
    stmt = (select(Contact.email, Contact.role, SurveyResponse.submitted_at, SurveyResponse.status,
                   SurveyResponse.answers)
            .join(SurveyResponse, SurveyResponse.contact_id == Contact.id)
            .where(Contact.account_id == account_pk).order_by(SurveyResponse.submitted_at.desc()))
    return [{"email": email, "role": role, "submitted_at": submitted, "status": status,
             "preference": (answers or {}).get("contact_preference"), "n_answers": len(answers or {})}
            for email, role, submitted, status, answers in db.session.execute(stmt).all()]


@bp.route("/accounts/<int:account_pk>")
@role_required("analyst")
def account(account_pk: int):
    """One account: scores with intervals, transactions, responses, placement history, why flagged."""
    account = db.session.get(Account, account_pk) or abort(404)
    run = latest_placement_run()
    placement = None if run is None else db.session.scalars(
        select(Placement).where(Placement.run_id == run.id, Placement.account_id == account_pk)).first()
    details = placement.details if placement is not None else {}
    metrics = pd.Series(details.get("metrics") or {}, dtype=object)
    return render_template(
        "canvas/account.html", account=account, run=run, placement=placement, details=details,
        scores=details.get("scores") or {}, metrics=metrics.to_dict(),
        transactions=_transactions_summary(account_pk), responses=_responses(account_pk),
        history=placement_history(account_pk))


def _account_panel(account: Account):
    """For analysts, the contacts account page shows the account's latest zone and leave-alone flag."""
    if not current_user.has_role("analyst"):
        return None
    run = latest_placement_run()
    placement = None if run is None else db.session.scalars(
        select(Placement).where(Placement.run_id == run.id, Placement.account_id == account.id)).first()
    if placement is None:
        return None
    return "canvas/_account_panel.html", {"run": run, "placement": placement, "account": account}


ACCOUNT_PANELS.append(_account_panel)
