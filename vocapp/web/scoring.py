"""Analyst pages for scoring runs: list, run evidence, charts (local matplotlib SVG)."""
from __future__ import annotations

import pandas as pd
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import defer

from vocapp.core.scoring import readings
from vocapp.extensions import db
from vocapp.models import Contact, ContactScore, ScoringRun, Survey
from vocapp.models import Response as SurveyResponse
from vocapp.services import surveys as survey_service
from vocapp.web import scoring_charts
from vocapp.web.security import role_required

bp = Blueprint("scoring", __name__)


def _run_or_404(run_id: int) -> tuple[ScoringRun, str]:
    row = db.session.execute(select(ScoringRun, Survey.slug).join(Survey, Survey.id == ScoringRun.survey_id)
                             .where(ScoringRun.id == run_id)).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def _score_frame(run_id: int) -> pd.DataFrame:
    """Long frame (construct, score, excluded, relationship) of a run's contact scores."""
    rows = db.session.execute(
        select(ContactScore.scores, ContactScore.excluded, Contact.relationship)
        .join(SurveyResponse, SurveyResponse.id == ContactScore.response_id)
        .outerjoin(Contact, Contact.id == SurveyResponse.contact_id).where(ContactScore.run_id == run_id)).all()
    wide = pd.DataFrame([r[0] for r in rows], index=pd.RangeIndex(len(rows)))
    wide["excluded"] = [r[1] for r in rows]
    wide["relationship"] = [r[2] for r in rows]
    long = wide.melt(id_vars=["excluded", "relationship"], var_name="construct", value_name="score")
    return long[["construct", "score", "excluded", "relationship"]]


def _svg(text: str) -> Response:
    return Response(text, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


@bp.route("/")
@role_required("analyst")
def index():
    """Every scoring run, newest first, and a form to start one (without reading each run's model and
    diagnostics, which only the run page needs)."""
    runs = db.session.execute(select(ScoringRun, Survey.slug).join(Survey, Survey.id == ScoringRun.survey_id)
                              .options(defer(ScoringRun.model, raiseload=True),
                                       defer(ScoringRun.diagnostics, raiseload=True))
                              .order_by(ScoringRun.id.desc())).all()
    surveys, default = survey_service.surveys_to_score()
    return render_template("scoring/index.html", runs=runs, surveys=surveys, default=default)


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
    run, slug = _run_or_404(run_id)
    d = run.diagnostics
    scores = _score_frame(run.id)
    valid = scores[~scores["excluded"].astype(bool)].copy()
    valid["relationship"] = valid["relationship"].fillna("unknown")
    summary = (valid.groupby(["construct", "relationship"])["score"].agg(["count", "mean", "median"])
               .reset_index().to_dict(orient="records"))
    loadings = pd.DataFrame.from_dict(d.get("loadings", {}), orient="index")
    misfit = {}
    for m in d.get("misfit_items", []):
        misfit.setdefault(m["item"], []).append(m["issue"])
    return render_template(
        "scoring/run.html", run=run, slug=slug, d=d, loadings=loadings, misfit=misfit,
        constructs=d.get("constructs", []), distribution=summary, readings=readings,
        eigen_rows=list(zip(range(1, len(d.get("eigenvalues", [])) + 1), d.get("eigenvalues", []),
                            d.get("parallel", {}).get("random_eigenvalues", []))),
    )


@bp.route("/runs/<int:run_id>/scree.svg")
@role_required("analyst")
def scree(run_id: int):
    run, _ = _run_or_404(run_id)
    d = run.diagnostics
    if not d.get("eigenvalues"):
        abort(404)
    return _svg(scoring_charts.scree_svg(d["eigenvalues"], d.get("parallel", {}).get("random_eigenvalues", []),
                                         int(d.get("declared_constructs", 0))))


@bp.route("/runs/<int:run_id>/loadings.svg")
@role_required("analyst")
def loadings(run_id: int):
    run, _ = _run_or_404(run_id)
    d = run.diagnostics
    if not d.get("loadings"):
        abort(404)
    frame = pd.DataFrame.from_dict(d["loadings"], orient="index")[d["factor_names"]]
    return _svg(scoring_charts.loadings_svg(frame, {m["item"] for m in d.get("misfit_items", [])}))


@bp.route("/runs/<int:run_id>/distributions.svg")
@role_required("analyst")
def distributions(run_id: int):
    run, _ = _run_or_404(run_id)
    scores = _score_frame(run.id)
    scores = scores[~scores["excluded"].astype(bool)]
    if scores.empty:
        abort(404)
    return _svg(scoring_charts.distributions_svg(scores, run.diagnostics.get("constructs", [])))
