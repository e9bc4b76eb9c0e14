"""Scoring pages read well: "p < 0.001" rather than "p = 0", and guidance instead of an empty form."""
from __future__ import annotations

from test_scoring_service import seed_survey

from vocapp.services.scoring import run_scoring


def test_tiny_bartlett_p_value_reads_below_a_thousandth(app, client_as):
    seed_survey(400)
    run = run_scoring("b2b_relationship")
    assert run.diagnostics["bartlett"]["p_value"] < 0.001
    page = client_as("analyst").get(f"/scoring/runs/{run.id}").get_data(as_text=True)
    assert "p &lt; 0.001." in page
    assert "p = 0." not in page


def test_without_surveys_the_page_says_what_to_do_instead_of_an_empty_form(app, client_as):
    page = client_as("analyst").get("/scoring/").get_data(as_text=True)
    assert "No surveys yet" in page and "vocapp surveys load" in page
    assert 'action="/scoring/run"' not in page
