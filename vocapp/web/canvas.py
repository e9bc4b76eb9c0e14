"""Analyst pages for the Customer Segmentation Canvas: picture, filters, zone table, account page.

Built for bases of 5,000-50,000 accounts: the account table is paged in the database (PER_PAGE rows
per request), and above POINT_DETAIL_LIMIT accounts the picture is a separate, cached image
(/canvas/picture.svg) instead of inline markup with a link and title per point (docs/canvas.md).
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable

import pandas as pd
from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from vocapp.core.canvas import CanvasDefinition
from vocapp.core.canvas.definition import build_canvas_definition
from vocapp.extensions import db
from vocapp.models import Account, Contact, Placement, PlacementRun, Response as SurveyResponse, Transaction
from vocapp.services.canvas_queries import (CanvasError, CanvasView, count_placements, get_placement_run,
                                            latest_placement_run, latest_transaction_date,
                                            movements_between, picture_points, placement_history, placement_rows,
                                            unheard_estimates, zone_order, zone_totals)
from vocapp.web.canvas_picture import (POINT_DETAIL_LIMIT, Box, canvas_svg, compact_radius, point_geometry,
                                       zone_bounds)
from vocapp.web.canvas_png import canvas_png
from vocapp.web.hygiene import int_arg
from vocapp.web.contacts import ACCOUNT_PANELS
from vocapp.web.security import role_required

bp = Blueprint("canvas", __name__)
RELATIONSHIPS = ("member", "customer", "both")
#: accounts per page of the account table (app config CANVAS_PER_PAGE overrides)
PER_PAGE = 100
#: unheard accounts listed with their estimate beside the picture
ESTIMATES_SHOWN = 15
#: compact pictures kept in memory (run x filters x gzip); ~55 bytes per account plain, ~10 gzipped
PICTURES_CACHED = 16
_PICTURES: OrderedDict[tuple, bytes] = OrderedDict()
_PICTURES_LOCK = threading.Lock()


def _run_and_filters() -> tuple[PlacementRun, CanvasDefinition, CanvasView]:
    """The requested (default latest) run, its canvas definition and the request's valid view: filters
    (an unknown relationship or zone is ignored) and the zoomed box (``zoom=<zone id>``, or the
    rectangle ``x0 x1 y0 y1`` in score points); 404 for a run that does not exist."""
    try:
        run = get_placement_run(int_arg("run"))
    except CanvasError:
        abort(404)
    definition = build_canvas_definition(run.definition, f"placement run {run.id}")
    relationship, zone = request.args.get("relationship", ""), request.args.get("zone", "")
    leave_alone = request.args.get("leave_alone", "")
    view = CanvasView(relationship=relationship if relationship in RELATIONSHIPS else "",
                      zone=zone if zone in {z.name for z in definition.zones} else "",
                      leave_alone=leave_alone if leave_alone in ("yes", "no") else "", box=_box(definition))
    return run, definition, view


def _box(definition: CanvasDefinition) -> tuple[float, float, float, float] | None:
    """The zoomed rectangle the request asks for (None: the whole canvas); nonsense is ignored."""
    zoom = zone_bounds(definition).get(request.args.get("zoom", ""))
    if zoom is not None:
        return zoom
    try:
        box = tuple(min(max(float(request.args[name]), 0.0), 100.0) for name in ("x0", "x1", "y0", "y1"))
    except (KeyError, ValueError):
        return None
    if not (box[0] < box[1] and box[2] < box[3]) or any(math.isnan(v) for v in box):
        return None
    return box if box != (0.0, 100.0, 0.0, 100.0) else None


def _picture_box(view: CanvasView) -> Box:
    return Box(*view.box) if view.box is not None else Box()


def _per_page() -> int:
    return max(1, int(current_app.config.get("CANVAS_PER_PAGE", PER_PAGE)))


def _point_limit() -> int:
    return int(current_app.config.get("CANVAS_POINT_DETAIL_LIMIT", POINT_DETAIL_LIMIT))


def _query(view: CanvasView) -> dict:
    """URL arguments that reproduce the current view (filters, box and chosen run), empty ones left out."""
    box = dict(zip(("x0", "x1", "y0", "y1"), (f"{v:g}" for v in view.box))) if view.box is not None else {}
    return {k: v for k, v in {"relationship": view.relationship, "zone": view.zone, "leave_alone": view.leave_alone,
                              **box, "run": int_arg("run")}.items() if v}


def _table_page(run: PlacementRun, definition: CanvasDefinition, view: CanvasView, page: int) -> pd.DataFrame:
    """One page of the account table: zone (canvas order), then opportunity (highest first), then account id."""
    order = [zone_order([z.name for z in definition.zones]), Placement.opportunity.desc(), Account.external_id]
    return placement_rows(run, order_by=order, offset=(page - 1) * _per_page(), limit=_per_page(),
                          **view.arguments())


@bp.route("/")
@role_required("analyst")
def index():
    """The canvas of the latest (or chosen) run: picture, filters, zone table and one page of accounts."""
    if latest_placement_run() is None:
        return render_template("canvas/empty.html", latest_transaction=latest_transaction_date())
    run, definition, view = _run_and_filters()
    query = _query(view)
    n_shown = count_placements(run, **view.arguments())
    n_pages = max(1, math.ceil(n_shown / _per_page()))
    page = int_arg("page", 1)
    if not 1 <= page <= n_pages:
        return redirect(url_for("canvas.index", page=min(max(page, 1), n_pages), **query))
    constructs = list(run.summary.get("constructs", []))
    totals = zone_totals(run)
    zones = [{"zone": z, "accounts": totals.get(z.name, (0, 0))[0], "leave_alone": totals.get(z.name, (0, 0))[1]}
             for z in definition.zones]
    svg = None
    if n_shown <= _point_limit():
        svg = Markup(canvas_svg(placement_rows(run, **view.arguments()), definition, constructs, detailed=True,
                                link=lambda pk: url_for("canvas.account", account_pk=pk), box=_picture_box(view)))
    estimates, n_estimates = unheard_estimates(run, ESTIMATES_SHOWN)
    moved = []
    if run.previous_run_id is not None:
        _, _, table = movements_between(run.previous_run_id, run.id)
        moved = table[table["moved"]].to_dict("records")
    return render_template(
        "canvas/index.html", run=run, definition=definition, constructs=constructs,
        rows=_table_page(run, definition, view, page).to_dict("records"), n_shown=n_shown,
        n_total=sum(n for n, _ in totals.values()), page=page, n_pages=n_pages, per_page=_per_page(),
        zones=zones, svg=svg, point_limit=_point_limit(), filters=view, relationships=RELATIONSHIPS,
        box=_picture_box(view), zoomable=zone_bounds(definition), latest_transaction=latest_transaction_date(),
        summary=run.summary, estimates=estimates.to_dict("records"), n_estimates=n_estimates, moved=moved, query=query)


@bp.route("/place", methods=["POST"])
@role_required("analyst")
def place():
    """Start a placement job as of the form's date (default: the newest transaction's date, so placing
    unchanged data again moves nobody), with the canvas definition in force; answers with its job page."""
    from vocapp.jobs import enqueue
    try:
        as_of = dt.date.fromisoformat(request.form.get("as_of", "")) if request.form.get("as_of") else None
    except ValueError:
        flash(f"'{request.form.get('as_of')}' is not a date (YYYY-MM-DD).", "error")
        return redirect(url_for("canvas.index"))
    as_of = as_of or latest_transaction_date()
    job = enqueue("canvas.place", started_by=current_user, as_of=as_of.isoformat() if as_of else None)
    return redirect(url_for("jobs.job", job_id=job.id))


def _cached_body(key: tuple, build: Callable[[], bytes], gzipped: bool) -> bytes:
    """``build()`` (gzipped when asked) from a small per-process cache: a stored run never changes, so
    its picture and points are made (and compressed) once per view."""
    key = (str(db.engine.url), *key, gzipped)
    with _PICTURES_LOCK:
        body = _PICTURES.get(key)
    if body is None:
        body = build()
        body = gzip.compress(body, 6) if gzipped else body
        with _PICTURES_LOCK:
            _PICTURES[key] = body
            while len(_PICTURES) > PICTURES_CACHED:
                _PICTURES.popitem(last=False)
    return body


def _cached_response(run: PlacementRun, view: CanvasView, kind: str, mimetype: str,
                     build: Callable[[], bytes]) -> Response:
    """A per-run cached body with an ETag (304 on revalidation), max-age and gzip when accepted."""
    gzipped = "gzip" in request.accept_encodings
    etag = _etag(run, view, kind, gzipped)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(_cached_body((run.id, run.created_at.isoformat(), view, kind), build, gzipped),
                            mimetype=mimetype)
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.vary.add("Accept-Encoding")
    return response


@bp.route("/picture.svg")
@role_required("analyst")
def picture():
    """The canvas picture shown on the page when it has more than POINT_DETAIL_LIMIT points: every
    account as a bare point, cached per run by the browser (ETag, max-age) and the server; gzip when
    the browser accepts it."""
    run, definition, view = _run_and_filters()
    return _cached_response(run, view, "svg", "image/svg+xml", lambda: canvas_svg(
        picture_points(run, **view.arguments()), definition, list(run.summary.get("constructs", [])),
        detailed=False, box=_picture_box(view)).encode())


def _etag(run: PlacementRun, view: CanvasView, *more: object) -> str:
    key = "|".join(map(str, (run.id, run.created_at.isoformat(), view, *more)))
    return f"canvas-{run.id}-" + hashlib.sha256(key.encode()).hexdigest()[:16]


@bp.route("/points.json")
@role_required("analyst")
def points():
    """Every point of the current view for canvas.js (hover details, click to the account page):
    columns once, then one row per account in SVG units of the picture. Cached like the picture."""
    run, _, view = _run_and_filters()
    return _cached_response(run, view, "points", "application/json",
                            lambda: json.dumps(_points_payload(run, view), separators=(",", ":")).encode())


def _points_payload(run: PlacementRun, view: CanvasView) -> dict:
    frame = picture_points(run, names=True, **view.arguments())
    cx, cy, radius = point_geometry(frame, _picture_box(view))
    if len(frame) > _point_limit():
        radius = compact_radius(frame, radius)
    rows = [[int(pk), str(ext), str(name), zone, round(float(x), 1), round(float(y), 1), round(float(r), 1),
             _score(opp), _score(ready), bool(flag), bool(ring)]
            for pk, ext, name, zone, x, y, r, opp, ready, flag, ring in zip(
                frame["account_pk"], frame["external_id"], frame["account_name"], frame["zone"], cx, cy, radius,
                frame["opportunity"], frame["readiness"], frame["leave_alone"], frame["co_creation"])]
    return {"columns": ["account", "external_id", "name", "zone", "x", "y", "r", "opportunity", "readiness",
                        "leave_alone", "co_creation"], "points": rows,
            "account_url": url_for("canvas.account", account_pk=0).rsplit("/", 1)[0] + "/"}


def _score(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 1)


def _file_name(run: PlacementRun, view: CanvasView, fmt: str) -> str:
    """canvas-run-7-partner-member-leave-alone-zoomed.png: the run and every filter in force."""
    parts = [f"canvas-run-{run.id}", view.zone, view.relationship,
             {"yes": "leave-alone", "no": "not-left-alone"}.get(view.leave_alone, ""), "zoomed" if view.box else ""]
    slug = "-".join(p for p in parts if p)
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in slug.lower().replace(" ", "-")) + f".{fmt}"


def _caption(run: PlacementRun, view: CanvasView, n_points: int) -> str:
    shown = [f"zone {view.zone}" if view.zone else "", view.relationship,
             {"yes": "left alone only", "no": "not left alone"}.get(view.leave_alone, ""),
             "opportunity {:g}-{:g}, readiness {:g}-{:g}".format(*view.box) if view.box else ""]
    filters = ", ".join(s for s in shown if s) or "all accounts"
    return (f"Placement run {run.id} of {run.created_at:%Y-%m-%d} (as of {run.as_of:%Y-%m-%d}); "
            f"{filters}; {n_points} accounts.")


@bp.route("/canvas.<any(svg, png):fmt>")
@role_required("analyst")
def download(fmt: str):
    """The canvas picture as an SVG or a print-resolution PNG file, for the page's view (filters and
    zoom); SVG points carry their details up to POINT_DETAIL_LIMIT accounts, the PNG a caption."""
    run, definition, view = _run_and_filters()
    if fmt == "svg":
        detailed = count_placements(run, **view.arguments()) <= _point_limit()
        frame = placement_rows(run, **view.arguments()) if detailed else picture_points(run, **view.arguments())
        body = canvas_svg(frame, definition, list(run.summary.get("constructs", [])), detailed=detailed,
                          box=_picture_box(view))
        mimetype = "image/svg+xml"
    else:
        frame = picture_points(run, **view.arguments())
        body = canvas_png(frame, definition, _caption(run, view, len(frame)), _picture_box(view))
        mimetype = "image/png"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{_file_name(run, view, fmt)}"'})


def _transactions_summary(account_pk: int) -> list[dict]:
    stmt = (select(Transaction.category, Transaction.currency, func.count(), func.sum(Transaction.amount),
                   func.max(Transaction.date))
            .where(Transaction.account_id == account_pk).group_by(Transaction.category, Transaction.currency)
            .order_by(Transaction.category, Transaction.currency))
    return [{"category": c, "currency": currency, "count": n, "amount": float(total or 0), "last": last}
            for c, currency, n, total, last in db.session.execute(stmt).all()]


def _responses(account_pk: int) -> list[dict]:
    stmt = (select(Contact.email, Contact.role, SurveyResponse.submitted_at, SurveyResponse.status,
                   SurveyResponse.answers)
            .join(SurveyResponse, SurveyResponse.contact_id == Contact.id)
            .where(Contact.account_id == account_pk).order_by(SurveyResponse.submitted_at.desc()))
    return [{"email": email, "role": role, "submitted_at": submitted, "status": status,
             "preference": (answers or {}).get("contact_preference"), "n_answers": len(answers or {})}
            for email, role, submitted, status, answers in db.session.execute(stmt).all()]


def _latest_placement(account_pk: int) -> tuple[PlacementRun | None, Placement | None]:
    """The latest placement run and this account's placement in it (None when not placed)."""
    run = latest_placement_run()
    placement = None if run is None else db.session.scalars(
        select(Placement).where(Placement.run_id == run.id, Placement.account_id == account_pk)).first()
    return run, placement


@bp.route("/accounts/<int:account_pk>")
@role_required("analyst")
def account(account_pk: int):
    """One account: scores with intervals, transactions, responses, placement history, why flagged."""
    account = db.session.get(Account, account_pk) or abort(404)
    run, placement = _latest_placement(account_pk)
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
    run, placement = _latest_placement(account.id)
    if placement is None:
        return None
    return "canvas/_account_panel.html", {"run": run, "placement": placement, "account": account}


ACCOUNT_PANELS.append(_account_panel)

# --- the canvas definition page (vocapp/web/canvas_definition.py) ----------------------------------

from vocapp.web.canvas_definition import definition  # noqa: E402

bp.add_url_rule("/definition", "definition", definition, methods=["GET", "POST"])
