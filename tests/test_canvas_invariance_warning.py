"""A scoring run whose scalar invariance fails: the placement made from it warns on the canvas page."""
from sqlalchemy import select

from canvas_setup import load_generated_base
from vocapp.extensions import db
from vocapp.models import ScoringRun
from vocapp.services.canvas import place


def _failing(run: ScoringRun) -> None:
    run.diagnostics = {**run.diagnostics, "invariance": {"relationship": {
        "by": "relationship type", "checked": True, "groups": ["customer", "member"], "scalar_holds": False,
        "levels": []}}}
    db.session.commit()


def test_scalar_invariance_failure_warns_on_the_canvas_page(app, tmp_path, client_as):
    load_generated_base(tmp_path, n_accounts=40, seed=3)
    client = client_as("analyst")
    first = place()
    assert first.summary["invariance_warnings"] == []  # the generated base's check found nothing wrong
    assert "not directly comparable" not in client.get("/canvas/").get_data(as_text=True)
    scoring = db.session.scalars(select(ScoringRun).order_by(ScoringRun.id.desc())).first()
    _failing(scoring)
    second = place()
    [warning] = second.summary["invariance_warnings"]
    assert f"scoring run {scoring.id}" in warning and "customer, member" in warning
    page = client.get("/canvas/").get_data(as_text=True)
    assert "Scalar measurement invariance fails across relationship type" in page
    assert "group means are not directly comparable" in page
