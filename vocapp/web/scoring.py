"""Analyst pages for scoring runs: list, run evidence, charts (local matplotlib SVG)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from vocapp.core.scoring import readings
from vocapp.web.security import role_required

bp = Blueprint("scoring", __name__)


def _run_or_404(run_id: int):
    from vocapp.services.scoring_pages import get_run

    return get_run(run_id) or abort(404)


def _diagnostics_with(run_id: int, key: str) -> dict:
    """The diagnostics of run ``run_id``, 404 when there is no such run or they have no ``key``."""
    run, _ = _run_or_404(run_id)
    if not run.diagnostics.get(key):
        abort(404)
    return run.diagnostics


def _svg(text: str) -> Response:
    return Response(text, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


@bp.route("/")
@role_required("analyst")
def index():
    """Every scoring run, newest first, and a form to start one (the latest answered survey offered first)."""
    from vocapp.services.scoring_pages import list_runs
    from vocapp.services.surveys import surveys_to_score

    surveys, default = surveys_to_score()
    return render_template("scoring/index.html", runs=list_runs(), surveys=surveys, default=default)


@bp.route("/run", methods=["POST"])
@role_required("analyst")
def start():
    """Start a scoring job (applies the stored model unless refit is ticked); answers with its job page."""
    from vocapp.jobs import enqueue

    job = enqueue("scoring.run", started_by=current_user, survey_id=request.form.get("survey", ""),
                  refit=bool(request.form.get("refit")))
    return redirect(url_for("jobs.job", job_id=job.id))


@bp.route("/runs/<int:run_id>")
@role_required("analyst")
def run(run_id: int):
    """A run's diagnostics, charts and tables."""
    from vocapp.services.scoring_pages import run_page

    return render_template("scoring/run.html", readings=readings, **(run_page(run_id) or abort(404)))


@bp.route("/runs/<int:run_id>/scree.svg")
@role_required("analyst")
def scree(run_id: int):
    from vocapp.web.scoring_charts import scree_svg

    d = _diagnostics_with(run_id, "eigenvalues")
    return _svg(scree_svg(d["eigenvalues"], d.get("parallel", {}).get("random_eigenvalues", []),
                          int(d.get("declared_constructs", 0))))


@bp.route("/runs/<int:run_id>/loadings.svg")
@role_required("analyst")
def loadings(run_id: int):
    from vocapp.services.scoring_pages import loadings_frame
    from vocapp.web.scoring_charts import loadings_svg

    d = _diagnostics_with(run_id, "loadings")
    return _svg(loadings_svg(loadings_frame(d), {m["item"] for m in d.get("misfit_items", [])}))


@bp.route("/runs/<int:run_id>/distributions.svg")
@role_required("analyst")
def distributions(run_id: int):
    from vocapp.services.scoring_data import run_summary
    from vocapp.web.scoring_charts import distributions_svg

    run, _ = _run_or_404(run_id)
    groups = [g for g in run_summary(run)["groups"] if g["count"]]
    if not groups:
        abort(404)
    return _svg(distributions_svg(groups, run.diagnostics.get("constructs", [])))
