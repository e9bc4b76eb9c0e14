"""In Chromium, no payload runs: the respondent pages and the canvas (page and SVG) show the payloads,
brought in the public way, as text; a payload that ran would set ``window.name`` to "pwned", and one
that was parsed as markup would leave an element behind (an ``img`` with ``src=x``, an inline script).
The ``page`` fixture also fails the test on any Content-Security-Policy violation."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from conftest import STAFF_PASSWORD
from helpers import browser_login, login
from payload_setup import load_payload_base
from public_payloads import IMAGE, SCRIPT, bring_in_payloads
from vocapp.extensions import db
from vocapp.models import Account, ScoringRun

INJECTED = "img[src='x'], script:not([src]), [onerror]"


def assert_nothing_ran(page, where: str, text: str | None = "name='pwned'") -> None:
    assert page.evaluate("window.name") != "pwned", f"{where}: a payload ran"
    expect(page.locator(INJECTED)).to_have_count(0)
    if text:
        expect(page.locator("body")).to_contain_text(text)


def test_respondent_pages_show_payloads_as_text_and_run_none(page, live_server, app, client, runner, make_staff,
                                                             tmp_path, artifacts_dir):
    login(client, make_staff("admin").email, STAFF_PASSWORD)
    sent = bring_in_payloads(app, client, runner, tmp_path)
    page.goto(f"{live_server}/s/{sent.survey_links['ann@example.org']}")
    assert_nothing_ran(page, "welcome")
    page.get_by_role("button").first.click()
    page.wait_for_load_state()
    assert_nothing_ran(page, "question page")
    page.locator("input[name='answer-staff']").fill(IMAGE)
    page.locator("textarea[name='answer-notes'], input[name='answer-notes']").first.fill(SCRIPT + IMAGE)
    page.locator("button[value='next']").click()
    page.wait_for_load_state()
    expect(page.locator(".error").first).to_be_visible()
    assert_nothing_ran(page, "validation errors")
    page.screenshot(path=str(artifacts_dir / "xss-respondent-errors.png"), full_page=True)
    page.locator("input[name='answer-staff']").fill("12")
    page.locator("button[value='next']").click()
    page.wait_for_load_state()
    assert_nothing_ran(page, "second page")
    page.locator("button[value='back']").click()
    page.wait_for_load_state()
    assert_nothing_ran(page, "first page again, typed text shown back")
    page.locator("button[value='next']").click()
    page.wait_for_load_state()
    page.locator("button[value='next']").click()  # finish
    page.wait_for_load_state()
    assert_nothing_ran(page, "thank-you page")
    assert "/thanks" in page.url


def test_canvas_page_and_svg_show_payloads_as_text_and_run_none(page, live_server, app, runner, make_staff,
                                                                tmp_path, artifacts_dir):
    load_payload_base(runner, tmp_path, [SCRIPT, IMAGE], n_accounts=30)
    admin = make_staff("admin")
    browser_login(page, live_server, admin.email, STAFF_PASSWORD)
    account = db.session.scalar(select(Account.id).order_by(Account.id))
    run = db.session.scalar(select(ScoringRun.id))
    for url in ["/canvas/", f"/canvas/accounts/{account}", "/contacts/", f"/contacts/accounts/{account}",
                f"/scoring/runs/{run}", "/exports/report", "/exports/summary"]:
        page.goto(f"{live_server}{url}")
        assert_nothing_ran(page, url, text=None if url.startswith("/scoring/") else "name='pwned'")
    page.goto(f"{live_server}/canvas/")
    page.screenshot(path=str(artifacts_dir / "xss-canvas.png"), full_page=True)
    expect(page.locator("main svg").first).to_contain_text("name='pwned'")  # zone names, drawn as text
    response = page.goto(f"{live_server}/canvas/picture.svg")  # the picture as an SVG document of its own
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert page.evaluate("window.name") != "pwned"
    expect(page.locator("script, [onerror]")).to_have_count(0)
    expect(page.locator("svg").first).to_contain_text("name='pwned'")
