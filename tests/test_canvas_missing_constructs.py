"""Placing refuses, with a message naming the construct and the definition key, when the latest
scoring run has no account scores for a construct the canvas definition uses, instead of silently
dropping that rule (no appetite flag, no co-creation mark)."""
from __future__ import annotations

import pytest
import yaml

from vocapp.core.canvas import DEFAULT_CANVAS_PATH
from vocapp.models import Account, AccountScore, PlacementRun, ScoringRun, Survey
from vocapp.services.canvas import place
from vocapp.services.canvas_queries import CanvasError


def _scores(db, constructs: list[str]) -> ScoringRun:
    survey = Survey(slug="pulse", title="Pulse")
    account = Account(external_id="A1", name="Acme")
    db.session.add_all([survey, account])
    db.session.flush()
    run = ScoringRun(survey_id=survey.id, method="efa", rotation="oblimin", diagnostics={"constructs": constructs})
    db.session.add(run)
    db.session.flush()
    db.session.add(AccountScore(run_id=run.id, account_id=account.id, scores={c: 60.0 for c in constructs},
                                low={c: 50.0 for c in constructs}, high={c: 70.0 for c in constructs},
                                n_respondents={c: 2 for c in constructs}))
    db.session.commit()
    return run


def _definition(tmp_path, weights: dict[str, float]):
    raw = yaml.safe_load(DEFAULT_CANVAS_PATH.read_text(encoding="utf-8"))
    raw["axes"]["y"]["weights"] = weights
    path = tmp_path / "canvas.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_missing_innovation_scores_are_refused(db):
    run = _scores(db, ["trust", "appetite"])
    with pytest.raises(CanvasError) as caught:
        place()
    assert str(caught.value) == (f"scoring run {run.id} has no account scores for innovation, which the canvas "
                                 "definition uses: innovation in innovation.construct")
    assert db.session.query(PlacementRun).count() == 0


def test_missing_leave_alone_scores_are_refused(db, tmp_path):
    run = _scores(db, ["trust", "innovation"])
    with pytest.raises(CanvasError) as caught:
        place(_definition(tmp_path, {"trust": 1.0}))
    assert str(caught.value) == (f"scoring run {run.id} has no account scores for appetite, which the canvas "
                                 "definition uses: appetite in leave_alone.construct")


def test_a_construct_used_twice_names_both_keys(db):
    run = _scores(db, ["trust", "innovation"])
    with pytest.raises(CanvasError) as caught:
        place()
    assert str(caught.value).endswith(f"run {run.id} has no account scores for appetite, which the canvas "
                                      "definition uses: appetite in axes.y.weights, leave_alone.construct")


def test_all_constructs_present_places(db):
    _scores(db, ["trust", "appetite", "innovation"])
    run = place()
    assert run.summary["n_accounts"] == 1 and run.summary["constructs"] == ["trust", "appetite", "innovation"]
