"""Analyst pages for the Customer Segmentation Canvas: picture, filters, zone table, account page.

Built for bases of 5,000-50,000 accounts: the account table is paged in the database (PER_PAGE rows
per request), and above POINT_DETAIL_LIMIT accounts the picture is a separate, cached image
(/canvas/picture.svg) instead of inline markup with a link and title per point (docs/canvas.md).
"""
from __future__ import annotations

import gzip
import hashlib
import math
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from vocapp.core.constants import RELATIONSHIPS
from vocapp.errors import VocappError
from vocapp.web.contacts import ACCOUNT_PANELS
from vocapp.web.hygiene import int_arg
from vocapp.web.security import role_required

if TYPE_CHECKING:
    from vocapp.core.canvas import CanvasDefinition
    from vocapp.models import Account, PlacementRun

bp = Blueprint("canvas", __name__)
#: accounts per page of the account table (app config CANVAS_PER_PAGE overrides)
PER_PAGE = 100
#: Up to this many points the picture is drawn inline in the page with a <title> (hover details) and a
#: link to the account page on every point (config CANVAS_POINT_DETAIL_LIMIT overrides). Above it each
#: point is a bare circle and the page shows the picture as a separately cached image: ~450 bytes of
#: markup per detailed point would make a 5,000-account page 2 MB, and thousands of tab stops would
#: bury the table.
POINT_DETAIL_LIMIT = 300
#: unheard accounts listed with their estimate beside the picture
ESTIMATES_SHOWN = 15
#: compact pictures kept in memory (run x filters x gzip); ~55 bytes per account plain, ~10 gzipped
PICTURES_CACHED = 16
_PICTURES: OrderedDict[tuple, bytes] = OrderedDict()
_PICTURES_LOCK = threading.Lock()


def _run_and_filters() -> tuple[PlacementRun, CanvasDefinition, dict[str, str]]:
    """The requested (default latest) run, its canvas definition and the request's valid filters
    (an unknown relationship or zone is ignored); 404 for a run that does not exist."""
    from vocapp.services.canvas_pages import run_with_definition

    try:
        run, definition = run_with_definition(int_arg("run"))
    except VocappError:
        abort(404)
    relationship, zone = request.args.get("relationship", ""), request.args.get("zone", "")
    filters = {"relationship": relationship if relationship in RELATIONSHIPS else "",
               "zone": zone if zone in {z.name for z in definition.zones} else ""}
    return run, definition, filters


def _per_page() -> int:
    return max(1, int(current_app.config.get("CANVAS_PER_PAGE", PER_PAGE)))


def _point_limit() -> int:
    return int(current_app.config.get("CANVAS_POINT_DETAIL_LIMIT", POINT_DETAIL_LIMIT))


def _query(filters: dict[str, str]) -> dict:
    """URL arguments that reproduce the current view (filters and chosen run), empty ones left out."""
    return {k: v for k, v in {**filters, "run": int_arg("run")}.items() if v}


@bp.route("/")
@role_required("analyst")
def index():
    """The canvas of the latest (or chosen) run: picture, filters, zone table and one page of accounts."""
    from vocapp.services.canvas_pages import estimates_shown, moved_since_previous, table_page
    from vocapp.services.canvas_queries import count_placements, latest_placement_run, placement_rows, zone_totals
    from vocapp.web.canvas_picture import canvas_svg

    if latest_placement_run() is None:
        return render_template("canvas/empty.html")
    run, definition, filters = _run_and_filters()
    query = _query(filters)
    n_shown = count_placements(run, **filters)
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
        svg = Markup(canvas_svg(placement_rows(run, **filters), definition, constructs, detailed=True,
                                link=lambda account_id: url_for("canvas.account", account_id=account_id)))
    estimates, n_estimates = estimates_shown(run, ESTIMATES_SHOWN)
    return render_template(
        "canvas/index.html", run=run, definition=definition, constructs=constructs,
        rows=table_page(run, definition, filters, (page - 1) * _per_page(), _per_page()), n_shown=n_shown,
        n_total=sum(n for n, _ in totals.values()), page=page, n_pages=n_pages, per_page=_per_page(),
        zones=zones, svg=svg, point_limit=_point_limit(), filters=filters, relationships=RELATIONSHIPS,
        summary=run.summary, estimates=estimates, n_estimates=n_estimates,
        moved=moved_since_previous(run), query=query)


@bp.route("/place", methods=["POST"])
@role_required("analyst")
def place():
    """Place every account now (default canvas definition)."""
    from vocapp.services.canvas import place as place_accounts
    try:
        run = place_accounts(staff=current_user)
    except VocappError as exc:
        flash(str(exc), "error")
        return redirect(url_for("canvas.index"))
    flash(f"Placement run {run.id} stored: {run.summary['n_accounts']} accounts, "
          f"{run.summary['n_flagged']} left alone.", "success")
    return redirect(url_for("canvas.index"))


def _picture_body(run: PlacementRun, definition: CanvasDefinition, filters: dict, gzipped: bool) -> bytes:
    """The compact picture of a run (all matching accounts), plain or gzipped, from a small per-process
    cache: a stored run never changes, so its picture is drawn (and compressed) once per filter combination."""
    from vocapp.services.canvas_queries import picture_points
    from vocapp.web.canvas_picture import canvas_svg

    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], run.id, run.created_at.isoformat(), filters["relationship"], filters["zone"], gzipped)
    with _PICTURES_LOCK:
        body = _PICTURES.get(key)
    if body is None:
        body = canvas_svg(picture_points(run, **filters), definition, list(run.summary.get("constructs", [])),
                          detailed=False).encode()
        body = gzip.compress(body, 6) if gzipped else body
        with _PICTURES_LOCK:
            _PICTURES[key] = body
            while len(_PICTURES) > PICTURES_CACHED:
                _PICTURES.popitem(last=False)
    return body


@bp.route("/picture.svg")
@role_required("analyst")
def picture():
    """The canvas picture shown on the page when it has more than POINT_DETAIL_LIMIT points: every
    account as a bare point, cached per run by the browser (ETag, max-age) and the server; gzip when
    the browser accepts it."""
    run, definition, filters = _run_and_filters()
    gzipped = "gzip" in request.accept_encodings
    view = f"{run.id}|{run.created_at.isoformat()}|{filters['relationship']}|{filters['zone']}|{gzipped}"
    etag = f"canvas-{run.id}-" + hashlib.sha256(view.encode()).hexdigest()[:16]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(_picture_body(run, definition, filters, gzipped), mimetype="image/svg+xml")
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.vary.add("Accept-Encoding")
    return response


@bp.route("/canvas.<any(svg, png):fmt>")
@role_required("analyst")
def download(fmt: str):
    """The canvas picture as an SVG or PNG file (same filters as the page; SVG points carry their
    details up to POINT_DETAIL_LIMIT accounts)."""
    from vocapp.services.canvas_queries import count_placements, picture_points, placement_rows
    from vocapp.web.canvas_picture import canvas_png, canvas_svg

    run, definition, filters = _run_and_filters()
    if fmt == "svg":
        detailed = count_placements(run, **filters) <= _point_limit()
        frame = placement_rows(run, **filters) if detailed else picture_points(run, **filters)
        body = canvas_svg(frame, definition, list(run.summary.get("constructs", [])), detailed=detailed)
        mimetype = "image/svg+xml"
    else:
        body, mimetype = canvas_png(picture_points(run, **filters), definition), "image/png"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="canvas-run-{run.id}.{fmt}"'})


@bp.route("/accounts/<int:account_id>")
@role_required("analyst")
def account(account_id: int):
    """One account: scores with intervals, transactions, responses, placement history, why flagged."""
    from vocapp.services.canvas_pages import account_page

    page = account_page(account_id) or abort(404)
    return render_template("canvas/account.html", **page)


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
