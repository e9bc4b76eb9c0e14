"""Canvas page for keyboard users (skip the point links) and honest about weak unheard estimates."""
from __future__ import annotations

import pytest

from canvas_setup import load_generated_base
from conftest import STAFF_PASSWORD
from helpers import browser_login
from vocapp.services.canvas import place


@pytest.mark.browser
def test_tab_after_the_filters_offers_to_skip_the_picture(app, tmp_path, live_server, page, make_staff, artifacts_dir):
    load_generated_base(tmp_path, n_accounts=30, seed=6)
    place()
    staff = make_staff("analyst")
    browser_login(page, live_server, staff.email, STAFF_PASSWORD)
    page.goto(f"{live_server}/canvas/")
    page.focus(".canvas-filters button[type=submit]")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.startswith("Skip the picture's 30 points")
    assert page.evaluate("document.activeElement.getBoundingClientRect().left") >= 0
    page.screenshot(path=str(artifacts_dir / "canvas-skip-link.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#accounts"


def test_estimates_from_a_model_no_better_than_the_mean_are_called_guesses(app, tmp_path, client_as):
    from vocapp.extensions import db

    load_generated_base(tmp_path, n_accounts=30, seed=6)
    run = place()
    cv_r2 = run.summary["unheard_model"]["cv_r2"]
    client = client_as("analyst")
    page = client.get("/canvas/").get_data(as_text=True)
    assert ("treat these estimates as guesses" in page) == (cv_r2 <= 0)
    summary = dict(run.summary)
    summary["unheard_model"] = {**summary["unheard_model"], "cv_r2": -0.2}
    run.summary = summary
    db.session.commit()
    assert "treat these estimates as guesses" in client.get("/canvas/").get_data(as_text=True)
