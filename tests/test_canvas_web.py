"""Analyst canvas pages over HTTP (login, role, CSRF, filters, downloads) and in a real browser."""
import re

import pytest
from helpers import browser_login, csrf_token
from jobs_helpers import job_id_from, wait_for_job
from sqlalchemy import select

from canvas_setup import load_generated_base
from conftest import STAFF_PASSWORD
from vocapp.extensions import db
from vocapp.models import Account, Placement
from vocapp.services.canvas import place, placement_table


@pytest.fixture
def placed_base(app, tmp_path):
    base = load_generated_base(tmp_path, n_accounts=40, seed=3)
    run = place()
    return base, run


def test_canvas_needs_an_analyst_login(app, client, client_as):
    assert client.get("/canvas/").status_code == 302
    assert client_as("designer").get("/canvas/").status_code == 403


def test_empty_canvas_offers_placement_with_csrf(app, client_as, tmp_path):
    load_generated_base(tmp_path, n_accounts=30, seed=4)
    client = client_as("analyst")
    assert "No placement run yet" in client.get("/canvas/").get_data(as_text=True)
    assert client.post("/canvas/place").status_code == 400  # no CSRF token
    token = csrf_token(client, "/canvas/")
    status = wait_for_job(client, job_id_from(client.post("/canvas/place", data={"csrf_token": token})))
    assert status["status"] == "done" and status["links"] == [{"url": "/canvas/?run=1", "text": "Placement run 1"}]
    assert "30 accounts" in client.get("/canvas/?run=1").get_data(as_text=True)


def test_canvas_page_draws_every_account_with_zones_and_reasons(placed_base, client_as):
    base, run = placed_base
    _, table = placement_table()
    page = client_as("analyst").get("/canvas/").get_data(as_text=True)
    assert page.count('<g class="account"') == len(base.accounts)
    for name in ("Partner", "Build trust", "Engage", "Serve efficiently", "Not yet heard"):
        assert name in page
    flagged = table[table["leave_alone"]]
    assert len(flagged) > 0
    for reason in flagged["leave_alone_reason"]:
        assert f"LEAVE ALONE: {reason}" in page
    first = table.iloc[0]
    assert f'href="/canvas/accounts/{first["account_id"]}"' in page
    assert "Exploratory clusters" in page and "Zones and service models" in page


def test_filters_restrict_picture_and_table(placed_base, client_as):
    _, table = placement_table()
    client = client_as("analyst")
    page = client.get("/canvas/?zone=Not+yet+heard&relationship=member").get_data(as_text=True)
    expected = table[(table["zone"] == "Not yet heard") & (table["relationship"] == "member")]
    assert page.count('<g class="account"') == len(expected)
    assert set(re.findall(r'data-zone="([^"]+)"', page)) <= {"Not yet heard"}


def test_downloads_and_account_page(placed_base, client_as):
    client = client_as("analyst")
    svg = client.get("/canvas/canvas.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and "attachment" in svg.headers[
        "Content-Disposition"]
    png = client.get("/canvas/canvas.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    flagged = db.session.scalars(select(Placement).where(Placement.leave_alone.is_(True))).first()
    account = db.session.get(Account, flagged.account_id)
    page = client.get(f"/canvas/accounts/{account.id}").get_data(as_text=True)
    assert account.external_id in page and flagged.leave_alone_reason in page
    for heading in ("Scores", "Transactions", "Responses", "Placement history"):
        assert f"<h2>{heading}</h2>" in page
    assert client.get("/canvas/accounts/999999").status_code == 404


def test_staff_written_names_are_escaped(placed_base, client_as):
    account = db.session.scalars(select(Account)).first()
    account.name = "<script>alert(1)</script>"
    db.session.commit()
    client = client_as("analyst")
    for url in ("/canvas/", f"/canvas/accounts/{account.id}", "/canvas/canvas.svg"):
        text = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text


@pytest.mark.browser
def test_canvas_in_a_browser_with_screenshot(placed_base, live_server, page, make_staff, artifacts_dir):
    staff = make_staff("analyst")
    browser_login(page, live_server, staff.email, STAFF_PASSWORD)
    page.goto(f"{live_server}/canvas/")
    points = page.locator("svg.canvas-svg g.account")
    assert points.count() == len(placed_base[0].accounts)
    page.screenshot(path=str(artifacts_dir / "canvas.png"), full_page=True)
    assert (artifacts_dir / "canvas.png").stat().st_size > 10_000
    points.first.locator("a").click()
    page.wait_for_load_state()
    assert "/canvas/accounts/" in page.url and page.locator("h2", has_text="Placement history").count() == 1


def test_second_run_reports_movements(placed_base, client_as):
    place()
    page = client_as("analyst").get("/canvas/").get_data(as_text=True)
    assert "Movements since placement run 1" in page and "No account changed zone" in page


def test_headroom_uses_the_size_attribute_imported_with_contacts(placed_base):
    details = db.session.scalars(select(Placement.details)).all()
    headroom = [d["metrics"]["headroom"] for d in details]
    assert all(h is not None and h >= 0 for h in headroom)
    assert any(h > 0 for h in headroom)
