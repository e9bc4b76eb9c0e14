"""Runs of one history started at once (placements; refits of a survey) queue up behind a database
lock instead of forking the history, on every backend."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from canvas_setup import load_generated_base
from test_scoring_service import seed_survey
from vocapp.extensions import db
from vocapp.models import PlacementRun, ScoringRun

pytestmark = pytest.mark.slow


def _at_once(app, function, n: int) -> list:
    """Call ``function()`` in ``n`` threads released together, each in its own app context."""
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def work(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                outcomes[i] = function().id
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                outcomes[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    return outcomes


def test_placements_started_at_once_form_a_line(app, tmp_path):
    from vocapp.services.canvas import place

    load_generated_base(tmp_path, n_accounts=40, seed=5)
    first = place()
    ids = _at_once(app, place, 2)
    db.session.expire_all()
    runs = db.session.scalars(select(PlacementRun).order_by(PlacementRun.id)).all()
    assert sorted(ids) == [r.id for r in runs[1:]]
    assert [r.previous_run_id for r in runs] == [None] + [r.id for r in runs[:-1]], "the history forked"
    assert runs[1].previous_run_id == first.id


def test_refits_of_one_survey_started_at_once_replace_each_other_in_turn(app):
    from vocapp.services.scoring import run_scoring

    seed_survey(300)
    ids = _at_once(app, lambda: run_scoring("b2b_relationship", refit=True, n_parallel=5), 2)
    db.session.expire_all()
    runs = db.session.scalars(select(ScoringRun).order_by(ScoringRun.id)).all()
    assert sorted(ids) == [r.id for r in runs]
    assert [r.based_on_run_id for r in runs] == [None, runs[0].id], "both refits replaced the same run"
