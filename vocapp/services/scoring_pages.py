"""What the scoring staff pages show, read from stored runs: the run list, a run's evidence and the
stored summary its charts are drawn from."""
from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import defer

from vocapp.core.scoring.summary import summary_table
from vocapp.extensions import db
from vocapp.models import ScoringRun, Survey
from vocapp.services.scoring_data import run_summary


def list_runs() -> list[tuple[ScoringRun, str]]:
    """Every scoring run with its survey id, newest first, without reading each run's model and
    diagnostics (only the run page needs them)."""
    return db.session.execute(select(ScoringRun, Survey.slug).join(Survey, Survey.id == ScoringRun.survey_id)
                              .options(defer(ScoringRun.model, raiseload=True),
                                       defer(ScoringRun.diagnostics, raiseload=True),
                                       defer(ScoringRun.summary, raiseload=True))
                              .order_by(ScoringRun.id.desc())).all()


def get_run(run_id: int) -> tuple[ScoringRun, str] | None:
    """Scoring run ``run_id`` and its survey id, or None."""
    row = db.session.execute(select(ScoringRun, Survey.slug).join(Survey, Survey.id == ScoringRun.survey_id)
                             .where(ScoringRun.id == run_id)).first()
    return None if row is None else (row[0], row[1])


def loadings_frame(diagnostics: dict[str, Any]) -> pd.DataFrame:
    """Items x factors loadings of a run (columns in the run's factor order when it names them all)."""
    frame = pd.DataFrame.from_dict(diagnostics.get("loadings", {}), orient="index")
    names = diagnostics.get("factor_names") or []
    return frame[names] if names and set(names) <= set(frame.columns) else frame


def run_page(run_id: int) -> dict[str, Any] | None:
    """What a run's page shows (None when there is no such run): the run, its survey id, diagnostics,
    loadings, misfit issues per item, score count/mean/median per construct and relationship, and the
    scree table (factor, eigenvalue, random-data eigenvalue)."""
    found = get_run(run_id)
    if found is None:
        return None
    run, slug = found
    d = run.diagnostics
    summary = summary_table(run_summary(run))
    misfit: dict[str, list[str]] = {}
    for m in d.get("misfit_items", []):
        misfit.setdefault(m["item"], []).append(m["issue"])
    eigenvalues = d.get("eigenvalues", [])
    return {"run": run, "slug": slug, "d": d, "loadings": loadings_frame(d),
            "misfit": misfit, "constructs": d.get("constructs", []), "distribution": summary,
            "eigen_rows": list(zip(range(1, len(eigenvalues) + 1), eigenvalues,
                                   d.get("parallel", {}).get("random_eigenvalues", [])))}
