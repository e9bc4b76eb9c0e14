"""Exploring the canvas at real sizes: zoom into a zone, list the accounts in a rectangle, filter by
leave-alone, hover/click data for canvas.js, print-resolution PNG named by its filter, as-of date."""
from __future__ import annotations

import json
import re
import struct

import pandas as pd
import pytest

from canvas_many import place_many
from canvas_setup import load_generated_base
from helpers import csrf_token
from jobs_helpers import job_id_from, wait_for_job
from vocapp.services.canvas import movements_between, place, placement_table
from vocapp.web.canvas_picture import Box, point_geometry


def _caption_count(page: str) -> int:
    match = re.search(r"Accounts \d+-\d+ of (\d+)|No accounts match", page)
    return int(match.group(1)) if match and match.group(1) else 0


@pytest.fixture
def placed_many(app):
    return place_many(600, seed=2)


def _table() -> pd.DataFrame:
    return placement_table()[1]


def test_zoom_into_a_zone_and_into_a_rectangle_lists_exactly_its_accounts(placed_many, client_as):
    client = client_as("analyst")
    table = _table()
    page = client.get("/canvas/?zoom=partner").get_data(as_text=True)
    partner = table[(table["opportunity"] >= 50) & (table["readiness"] >= 50)]
    assert _caption_count(page) == len(partner)
    assert 'name="x0" min="0" max="100" step="any" value="50.0"' in page  # the form shows the zone's box
    assert "whole canvas" in page
    rectangle = client.get("/canvas/?x0=10&x1=30&y0=60&y1=90").get_data(as_text=True)
    inside = table[table["opportunity"].between(10, 30) & table["readiness"].between(60, 90)]
    assert _caption_count(rectangle) == len(inside) and 0 < len(inside) <= 300
    assert rectangle.count('<g class="account"') == len(inside)  # few enough: every point links and has details
    # a rectangle that reaches the bottom of the canvas includes the strip of accounts not yet heard
    bottom = client.get("/canvas/?x0=0&x1=20&y0=0&y1=10").get_data(as_text=True)
    unheard_low = table[(table["opportunity"] <= 20) & (table["readiness"].isna() | (table["readiness"] <= 10))]
    assert _caption_count(bottom) == len(unheard_low)
    # nonsense boxes are ignored, not errors
    for query in ("x0=50&x1=10&y0=0&y1=100", "x0=a&x1=b&y0=0&y1=1", "x0=nan&x1=5&y0=0&y1=9", "zoom=nowhere"):
        assert _caption_count(client.get(f"/canvas/?{query}").get_data(as_text=True)) == len(table), query


def test_leave_alone_filter(placed_many, client_as):
    client = client_as("analyst")
    table = _table()
    flagged = client.get("/canvas/?leave_alone=yes").get_data(as_text=True)
    assert _caption_count(flagged) == int(table["leave_alone"].sum()) > 0
    others = client.get("/canvas/?leave_alone=no").get_data(as_text=True)
    assert _caption_count(others) == int((~table["leave_alone"]).sum())


def test_points_json_places_every_point_where_the_picture_draws_it(placed_many, client_as):
    client = client_as("analyst")
    response = client.get("/canvas/points.json?zoom=build_trust")
    data = response.get_json()
    table = _table()
    # a bottom zone's box reaches the strip of accounts not yet heard, drawn under it
    expected = table[(table["opportunity"] >= 50) & ~(table["readiness"] > 50)].sort_values("account_id")
    assert expected["readiness"].isna().any()
    assert len(data["points"]) == len(expected)
    frame = pd.DataFrame(data["points"], columns=data["columns"]).sort_values("account")
    assert frame["account"].tolist() == expected["account_id"].tolist()
    assert frame["name"].tolist() == expected["account_name"].tolist()
    x, y, _ = point_geometry(expected.assign(value=expected["value"]), Box(50, 100, 0, 50))
    assert frame["x"].to_numpy() == pytest.approx(x, abs=0.06) and frame["y"].to_numpy() == pytest.approx(y, abs=0.06)
    again = client.get("/canvas/points.json?zoom=build_trust", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert data["account_url"] == "/canvas/accounts/"  # canvas.js appends the account to open its page


def test_png_is_print_resolution_and_named_by_its_filter(placed_many, client_as):
    client = client_as("analyst")
    response = client.get("/canvas/canvas.png?zone=Partner&leave_alone=yes&relationship=member")
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="canvas-run-1-partner-member-leave-alone.png"'
    width, height = struct.unpack(">II", response.data[16:24])  # PNG IHDR
    assert width >= 2000 and height >= 1500
    zoomed = client.get("/canvas/canvas.svg?zoom=engage")
    assert "zoomed" in zoomed.headers["Content-Disposition"]
    assert "opportunity 0-50, readiness 50-100" in zoomed.get_data(as_text=True)
    assert "<style" not in zoomed.get_data(as_text=True) and "style=" not in zoomed.get_data(as_text=True)


def test_place_form_defaults_to_the_newest_transaction_so_unchanged_data_moves_nobody(app, client_as, tmp_path):
    load_generated_base(tmp_path, n_accounts=40, seed=5)
    from vocapp.services.canvas_queries import latest_transaction_date

    newest = latest_transaction_date()
    first = place(as_of=newest)
    client = client_as("analyst")
    page = client.get("/canvas/").get_data(as_text=True)
    assert f'name="as_of" value="{newest.isoformat()}"' in page
    token = csrf_token(client, "/canvas/")
    job_id = job_id_from(client.post("/canvas/place", data={"csrf_token": token, "as_of": newest.isoformat()}))
    assert wait_for_job(client, job_id)["status"] == "done"
    _, second, moves = movements_between()
    assert second.id == first.id + 1 and second.as_of.date() == newest
    assert int(moves.loc[moves["moved"], "count"].sum()) == 0
    bad = client.post("/canvas/place", data={"csrf_token": token, "as_of": "31/12/2026"}, follow_redirects=True)
    assert "is not a date" in bad.get_data(as_text=True)


def test_estimates_name_accounts_and_money_shows_its_currency(app, client_as, tmp_path):
    base = load_generated_base(tmp_path, n_accounts=40, seed=7)
    place()
    client = client_as("analyst")
    page = client.get("/canvas/").get_data(as_text=True)
    estimates = page.split("Not yet heard: estimates", 1)[1].split("</table>", 1)[0]
    names = set(base.accounts["account_name"]) if "account_name" in base.accounts else set(base.accounts["name"])
    assert any(name in estimates for name in names)
    pk = re.search(r'href="/canvas/accounts/(\d+)"', page).group(1)
    account = client.get(f"/canvas/accounts/{pk}").get_data(as_text=True)
    assert re.search(r"\d,?\d*\.\d\d GBP", account)


@pytest.mark.browser
@pytest.mark.slow
def test_explore_5000_accounts_in_a_browser(app, live_server, page, make_staff, artifacts_dir):
    from playwright.sync_api import expect

    from conftest import STAFF_PASSWORD
    from helpers import browser_login

    place_many(5000, seed=4)
    analyst = make_staff("analyst")
    browser_login(page, live_server, analyst.email, STAFF_PASSWORD)
    page.goto(f"{live_server}/canvas/")
    picture = page.locator("img.canvas-picture")
    expect(picture).to_be_visible()
    data = page.request.get(f"{live_server}/canvas/points.json?run=1").json()
    target = max(data["points"], key=lambda p: p[6])  # a large point, away from any ambiguity
    area = picture.bounding_box()
    scale = area["width"] / 720
    x, y = area["x"] + target[4] * scale, area["y"] + target[5] * scale
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y)
    tip = page.locator("#canvas-tip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text(target[2])
    page.screenshot(path=str(artifacts_dir / "canvas-5000-hover.png"))
    page.mouse.click(x, y)
    page.wait_for_url(f"**/canvas/accounts/{target[0]}")

    page.goto(f"{live_server}/canvas/")
    page.get_by_role("navigation", name="Zoom").get_by_role("link", name="Partner").click()
    expect(page.locator("#b-x0")).to_have_value("50.0")
    page.screenshot(path=str(artifacts_dir / "canvas-5000-zoom-partner.png"), full_page=True)

    page.goto(f"{live_server}/canvas/")
    area = page.locator("img.canvas-picture").bounding_box()
    scale = area["width"] / 720
    page.mouse.move(area["x"] + 100 * scale, area["y"] + 60 * scale)
    page.mouse.down()
    page.mouse.move(area["x"] + 200 * scale, area["y"] + 120 * scale, steps=5)
    page.mouse.up()
    page.wait_for_url("**x0=*")
    assert "x1=" in page.url and "y0=" in page.url and "y1=" in page.url
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()
    caption = page.locator("table.canvas-table caption").inner_text()
    assert "of" in caption and "5000" not in caption  # a rectangle, not the whole base
    page.screenshot(path=str(artifacts_dir / "canvas-5000-rectangle.png"), full_page=True)

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server}/canvas/")
    expect(page.locator("ul.zone-summary")).to_be_visible()
    expect(page.locator("img.canvas-picture")).to_be_hidden()
    page.screenshot(path=str(artifacts_dir / "canvas-phone-zone-summary.png"), full_page=True)
