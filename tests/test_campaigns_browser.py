"""The create page's reach follows the filters in a real browser (static/js/campaigns.js)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from campaign_setup import add_contacts, load_survey
from helpers import browser_login

pytestmark = pytest.mark.browser


def test_reach_updates_as_the_filters_change(app, live_server, page, make_staff, artifacts_dir):
    from conftest import STAFF_PASSWORD

    load_survey()
    add_contacts(3)
    add_contacts(2, prefix="cust", relationship="customer")
    user = make_staff("designer")
    browser_login(page, live_server, user.email, STAFF_PASSWORD)
    page.goto(f"{live_server}/campaigns/new")
    page.fill("input[name=name]", "Browser wave")
    page.select_option("select[name=relationship]", ["customer"])
    page.wait_for_selector("#reach strong")
    assert page.inner_text("#reach strong") == "2"
    page.select_option("select[name=relationship]", ["member", "customer"])
    expect(page.locator("#reach strong")).to_have_text("5")  # no string predicate: the page's CSP forbids eval
    page.screenshot(path=str(artifacts_dir / "campaigns-new-live-reach.png"), full_page=True)
