"""The scoring runs list does not read every run's stored model and diagnostics."""
from __future__ import annotations

from helpers import get_recording_sql
from vocapp.models import ScoringRun, Survey


def test_runs_list_leaves_models_and_diagnostics_unread(client_as, db):
    staff = client_as("analyst")
    survey = Survey(slug="b2b_relationship", title="B2B relationship")
    db.session.add(survey)
    db.session.flush()
    bulky = {"loadings": {f"item_{i}": {"trust": 0.5} for i in range(500)}}
    runs = [ScoringRun(survey_id=survey.id, method="efa", rotation="oblimin", parameters={"method": "minres"},
                       model=bulky, diagnostics=bulky, n_responses=120 + i, n_flagged=i) for i in range(3)]
    db.session.add_all(runs)
    db.session.commit()
    ids = [run.id for run in runs]
    for run in runs:
        db.session.expunge(run)
    response, statements = get_recording_sql(db, staff, "/scoring/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for run_id in ids:
        assert f'href="/scoring/runs/{run_id}"' in html
    assert "(minres, oblimin)" in html
    listing = [s for s in statements if "scoring_runs" in s]
    assert listing and not any("scoring_runs.model" in s or "scoring_runs.diagnostics" in s for s in listing)
