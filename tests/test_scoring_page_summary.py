"""The run page and its distributions chart read the run's stored summary, never every score; a run
stored before summaries were kept gets the same figures from its stored scores, once."""
from __future__ import annotations

import pytest
from helpers import get_recording_sql
from sqlalchemy import update
from test_scoring_service import seed_survey

from vocapp.extensions import db
from vocapp.models import ScoringRun
from vocapp.services.scoring import run_scoring


def test_run_page_and_chart_read_the_stored_summary_not_the_scores(app, client_as):
    seed_survey(400)
    run = run_scoring("b2b_relationship")
    groups = {(g["construct"], g["relationship"]): g for g in run.summary["groups"]}
    assert set(groups) == {(c, "member") for c in ("trust", "appetite", "innovation")}
    assert groups["trust", "member"]["count"] == 400 - run.n_flagged
    client = client_as("analyst")
    for url in (f"/scoring/runs/{run.id}", f"/scoring/runs/{run.id}/distributions.svg"):
        response, statements = get_recording_sql(db, client, url)
        assert response.status_code == 200
        assert not [s for s in statements if "contact_scores" in s], url
    page = client.get(f"/scoring/runs/{run.id}").get_data(as_text=True)
    trust = groups["trust", "member"]
    assert f'<td>trust</td><td>member</td><td class="num">{trust["count"]}</td>' in page
    assert f'{trust["mean"]:.1f}</td><td class="num">{trust["median"]:.1f}' in page


def test_a_run_without_a_stored_summary_gets_the_same_one_from_its_scores_once(app, client_as):
    seed_survey(300)
    run = run_scoring("b2b_relationship")
    stored = run.summary
    db.session.execute(update(ScoringRun).where(ScoringRun.id == run.id).values(summary=None))
    db.session.commit()
    db.session.expire_all()
    client = client_as("analyst")
    response, statements = get_recording_sql(db, client, f"/scoring/runs/{run.id}/distributions.svg")
    assert response.status_code == 200 and [s for s in statements if "contact_scores" in s]
    db.session.expire_all()
    computed = db.session.get(ScoringRun, run.id).summary
    assert computed["bin_edges"] == stored["bin_edges"]
    assert len(computed["groups"]) == len(stored["groups"])
    for new, old in zip(computed["groups"], stored["groups"]):
        assert new["fliers"] == old["fliers"] and new["histogram"] == old["histogram"]
        for key in ("count", "mean", "median", "q1", "q3", "min", "max", "whislo", "whishi"):
            assert new[key] == pytest.approx(old[key], rel=1e-12), key
    response, statements = get_recording_sql(db, client, f"/scoring/runs/{run.id}")
    assert response.status_code == 200 and not [s for s in statements if "contact_scores" in s]
