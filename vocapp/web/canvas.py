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
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from vocapp.core.constants import RELATIONSHIPS
from vocapp.errors import VocappError
from vocapp.web.contacts import ACCOUNT_PANELS
from vocapp.web.hygiene import int_arg
from vocapp.web.security import role_required

if TYPE_CHECKING:  # the services and drawing modules load pandas: views import them when they run
    from vocapp.core.canvas import CanvasDefinition
    from vocapp.models import Account, PlacementRun
    from vocapp.services.canvas_queries import CanvasView
    from vocapp.web.canvas_picture import Box

bp = Blueprint("canvas", __name__)
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
    from vocapp.services.canvas_pages import run_with_definition
    from vocapp.services.canvas_queries import CanvasView

    try:
        run, definition = run_with_definition(int_arg("run"))
    except VocappError:
        abort(404)
    relationship, zone = request.args.get("relationship", ""), request.args.get("zone", "")
    leave_alone = request.args.get("leave_alone", "")
    view = CanvasView(relationship=relationship if relationship in RELATIONSHIPS else "",
                      zone=zone if zone in {z.name for z in definition.zones} else "",
                      leave_alone=leave_alone if leave_alone in ("yes", "no") else "", box=_box(definition))
    return run, definition, view


def _box(definition: CanvasDefinition) -> tuple[float, float, float, float] | None:
    """The zoomed rectangle the request asks for (None: the whole canvas); nonsense is ignored."""
    from vocapp.web.canvas_picture import zone_bounds

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
    from vocapp.web.canvas_picture import Box

    return Box(*view.box) if view.box is not None else Box()


def _per_page() -> int:
    return max(1, int(current_app.config.get("CANVAS_PER_PAGE", PER_PAGE)))


def _point_limit() -> int:
    from vocapp.web.canvas_picture import POINT_DETAIL_LIMIT

    return int(current_app.config.get("CANVAS_POINT_DETAIL_LIMIT", POINT_DETAIL_LIMIT))


def _query(view: CanvasView) -> dict:
    """URL arguments that reproduce the current view (filters, box and chosen run), empty ones left out."""
    box = dict(zip(("x0", "x1", "y0", "y1"), (f"{v:g}" for v in view.box))) if view.box is not None else {}
    return {k: v for k, v in {"relationship": view.relationship, "zone": view.zone, "leave_alone": view.leave_alone,
                              **box, "run": int_arg("run")}.items() if v}


@bp.route("/")
@role_required("analyst")
def index():
    """The canvas of the latest (or chosen) run: picture, filters, zone table and one page of accounts."""
    from vocapp.services.canvas_pages import estimates_shown, moved_since_previous, table_page
    from vocapp.services.canvas_queries import (count_placements, latest_placement_run, latest_transaction_date,
                                                placement_rows, zone_totals)
    from vocapp.web.canvas_picture import canvas_svg, zone_bounds

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
                                link=lambda account_id: url_for("canvas.account", account_id=account_id),
                                box=_picture_box(view)))
    estimates, n_estimates = estimates_shown(run, ESTIMATES_SHOWN)
    return render_template(
        "canvas/index.html", run=run, definition=definition, constructs=constructs,
        rows=table_page(run, definition, view.arguments(), (page - 1) * _per_page(), _per_page()), n_shown=n_shown,
        n_total=sum(n for n, _ in totals.values()), page=page, n_pages=n_pages, per_page=_per_page(),
        zones=zones, svg=svg, point_limit=_point_limit(), filters=view, relationships=RELATIONSHIPS,
        box=_picture_box(view), zoomable=zone_bounds(definition), latest_transaction=latest_transaction_date(),
        summary=run.summary, estimates=estimates, n_estimates=n_estimates, moved=moved_since_previous(run),
        query=query)


@bp.route("/place", methods=["POST"])
@role_required("analyst")
def place():
    """Start a placement job as of the form's date (default: the newest transaction's date, so placing
    unchanged data again moves nobody), with the canvas definition in force; answers with its job page."""
    from vocapp.jobs import enqueue
    from vocapp.services.canvas_queries import latest_transaction_date

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
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], *key, gzipped)
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
    from vocapp.services.canvas_queries import picture_points
    from vocapp.web.canvas_picture import canvas_svg

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
    from vocapp.services.canvas_queries import picture_points
    from vocapp.web.canvas_picture import compact_radius, point_geometry

    frame = picture_points(run, names=True, **view.arguments())
    cx, cy, radius = point_geometry(frame, _picture_box(view))
    if len(frame) > _point_limit():
        radius = compact_radius(frame, radius)
    rows = [[int(account_id), str(ext), str(name), zone, round(float(x), 1), round(float(y), 1), round(float(r), 1),
             _score(opp), _score(ready), bool(flag), bool(ring)]
            for account_id, ext, name, zone, x, y, r, opp, ready, flag, ring in zip(
                frame["account_id"], frame["external_id"], frame["account_name"], frame["zone"], cx, cy, radius,
                frame["opportunity"], frame["readiness"], frame["leave_alone"], frame["co_creation"])]
    return {"columns": ["account", "external_id", "name", "zone", "x", "y", "r", "opportunity", "readiness",
                        "leave_alone", "co_creation"], "points": rows,
            "account_url": url_for("canvas.account", account_id=0).rsplit("/", 1)[0] + "/"}


def _score(value) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 1)


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
    from vocapp.services.canvas_queries import count_placements, picture_points, placement_rows
    from vocapp.web.canvas_picture import canvas_svg
    from vocapp.web.canvas_png import canvas_png

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


@bp.route("/accounts/<int:account_id>")
@role_required("analyst")
def account(account_id: int):
    """One account: scores with intervals, transactions, responses, placement history, why flagged."""
    from vocapp.services.canvas_pages import account_page

    return render_template("canvas/account.html", **(account_page(account_id) or abort(404)))


def _account_panel(account: Account):
    """For analysts, the contacts account page shows the account's latest zone and leave-alone flag."""
    from vocapp.services.canvas_pages import latest_placement

    if not current_user.has_role("analyst"):
        return None
    run, placement = latest_placement(account.id)
    if placement is None:
        return None
    return "canvas/_account_panel.html", {"run": run, "placement": placement, "account": account}


ACCOUNT_PANELS.append(_account_panel)

# --- the canvas definition page (vocapp/web/canvas_definition.py) ----------------------------------

from vocapp.web.canvas_definition import definition  # noqa: E402

bp.add_url_rule("/definition", "definition", definition, methods=["GET", "POST"])
