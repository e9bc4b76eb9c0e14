"""Analyst pages for scoring runs."""
from __future__ import annotations

from helpers import csrf_token
from jobs_helpers import job_id_from, wait_for_job
from sqlalchemy import func, select
from test_scoring_service import seed_survey

from vocapp.extensions import db
from vocapp.models import ScoringRun
from vocapp.services.scoring import run_scoring


def test_run_page_shows_evidence_with_charts_and_tables(app, client_as):
    seed_survey(400)
    run = run_scoring("b2b_relationship")
    client = client_as("analyst")
    listing = client.get("/scoring/").get_data(as_text=True)
    assert f"/scoring/runs/{run.id}" in listing and "b2b_relationship" in listing
    page = client.get(f"/scoring/runs/{run.id}").get_data(as_text=True)
    for text in ("KMO", "Parallel analysis", "Cronbach", "omega", "RMSEA", "CFI", "TLI", "Factor correlations",
                 "Scores by construct and relationship type", "trust_1", "member"):
        assert text in page
    assert page.count('alt="') >= 3
    for chart in ("scree", "loadings", "distributions"):
        response = client.get(f"/scoring/runs/{run.id}/{chart}.svg")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.get_data(as_text=True).lstrip().startswith("<?xml")


def test_misfit_items_are_marked(app, client_as):
    seed_survey(400)
    run = run_scoring("b2b_relationship")
    named = {m["item"] for m in run.diagnostics["misfit_items"]}
    page = client_as("analyst").get(f"/scoring/runs/{run.id}").get_data(as_text=True)
    assert page.count("badge flagged") == len(named)


def test_analyst_can_start_a_run_with_csrf(app, client_as):
    seed_survey(300)
    client = client_as("analyst")
    token = csrf_token(client, "/scoring/")
    response = client.post("/scoring/run", data={"survey": "b2b_relationship", "csrf_token": token})
    assert wait_for_job(client, job_id_from(response))["status"] == "done"
    assert db.session.scalar(select(func.count()).select_from(ScoringRun)) == 1
    assert client.post("/scoring/run", data={"survey": "b2b_relationship"}).status_code == 400  # no CSRF


def test_scores_need_an_analyst_login(app, client, client_as):
    assert client.get("/scoring/").status_code == 302  # to the login page
    assert client_as("designer").get("/scoring/").status_code == 403


def test_applied_and_scale_mean_runs_render(app, client_as):
    seed_survey(60)
    small = run_scoring("b2b_relationship")
    client = client_as("analyst")
    page = client.get(f"/scoring/runs/{small.id}").get_data(as_text=True)
    assert "unit-weighted scale means" in page and "provisional" in page
    assert client.get(f"/scoring/runs/{small.id}/scree.svg").status_code == 404
    seed_survey(300, seed=3, first_id=61)
    fitted = run_scoring("b2b_relationship")
    applied = run_scoring("b2b_relationship")
    page = client.get(f"/scoring/runs/{applied.id}").get_data(as_text=True)
    assert f"frozen model fitted in" in page and f"/scoring/runs/{fitted.id}" in page
    assert client.get("/scoring/runs/9999").status_code == 404


def test_run_page_reads_each_figure_in_plain_words_and_links_the_method(app, client_as):
    seed_survey(400)
    run = run_scoring("b2b_relationship")
    page = client_as("analyst").get(f"/scoring/runs/{run.id}").get_data(as_text=True)
    assert 'href="/docs/scoring"' in page
    assert 'class="reading-summary"' in page and ("trustworthy" in page or "caution" in page)
    kmo = run.diagnostics["kmo"]
    assert f"KMO {kmo:.2f} is" in page and "Kaiser" in page
    assert page.count('class="reading reading-') >= 3 + len(run.diagnostics["reliability"]) + 4
    assert "≥ .95 good, ≥ .90 acceptable" in page  # the fit readings name their thresholds
    d = run.diagnostics
    used = d.get("n_rows", d["n"])
    assert f"{run.n_responses} responses scored = {run.n_flagged} flagged" in page
    assert f"+ {used} used in fitting" in page
    other = run.n_responses - run.n_flagged - used
    assert (f"+ {other} left out of" in page) == (other > 0)


def test_survey_picker_offers_the_latest_answered_survey_first(app, client_as):
    from vocapp.services.surveys import create_survey

    seed_survey(50)
    create_survey("aaa_empty", "Nobody answered this")
    page = client_as("analyst").get("/scoring/").get_data(as_text=True)
    assert 'value="b2b_relationship" selected' in page
    assert "aaa_empty (0 complete responses)" in page and "b2b_relationship (50 complete responses)" in page
