"""On a phone (390 px wide) no staff page scrolls sideways: wide tables and the canvas scroll inside themselves."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from canvas_setup import load_generated_base
from conftest import STAFF_PASSWORD
from helpers import browser_login
from vocapp.extensions import db
from vocapp.models import Account, Contact
from vocapp.services.canvas import place

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
def test_pages_with_wide_tables_fit_a_phone(app, tmp_path, live_server, browser, make_staff, artifacts_dir):
    load_generated_base(tmp_path, n_accounts=30, seed=5)
    place()
    account = db.session.scalars(select(Account).order_by(Account.id)).first()
    contact = db.session.scalars(select(Contact).where(Contact.account_id == account.id)).first()
    staff = make_staff("admin")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        browser_login(page, live_server, staff.email, STAFF_PASSWORD)
        for path in ["/canvas/", f"/canvas/accounts/{account.id}", f"/contacts/accounts/{account.id}",
                     f"/contacts/people/{contact.id}", "/surveys/", "/scoring/"]:
            response = page.goto(live_server + path)
            assert response.status == 200, path
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                page.screenshot(path=str(artifacts_dir / "phone-overflow.png"), full_page=True)
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        page.goto(f"{live_server}/contacts/accounts/{account.id}")
        one_line = page.evaluate("""() => { const dd = document.querySelector('.stats dd');
            return dd.getBoundingClientRect().height < 1.5 * parseFloat(getComputedStyle(dd).lineHeight); }""")
        assert one_line, "the account id breaks over two lines in its stats box"
    finally:
        context.close()


@pytest.mark.browser
def test_a_long_unbroken_title_wraps_on_a_phone(app, live_server, browser, make_staff):
    from vocapp.services.surveys import create_survey

    create_survey("long_title", "Membership" * 25, None)
    staff = make_staff("designer")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        browser_login(page, live_server, staff.email, STAFF_PASSWORD)
        for path in ["/surveys/", "/surveys/long_title"]:
            assert page.goto(live_server + path).status == 200
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    finally:
        context.close()
