"""Staff management in Chromium: invite, the new user sets a password and logs in, change role, deactivate."""
from __future__ import annotations

import re

from conftest import STAFF_PASSWORD
from helpers import browser_login


def test_admin_manages_staff_in_the_browser(page, live_server, make_staff, db, artifacts_dir, browser):
    from playwright.sync_api import expect

    admin = make_staff("admin")
    browser_login(page, live_server, admin.email, STAFF_PASSWORD)
    page.goto(f"{live_server}/staff")
    page.fill("input[name=email]", "new.analyst@example.org")
    page.select_option("select[name=role]:not([id^=role-])", "analyst")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("heading", name=re.compile("Invitation link for new.analyst@example.org"))).to_be_visible()
    link = page.locator("code.one-time-link").inner_text().replace("http://127.0.0.1", live_server)
    page.screenshot(path=str(artifacts_dir / "staff-invitation-link.png"), full_page=True)

    newcomer = browser.new_context().new_page()
    newcomer.goto(link)
    newcomer.fill("input[name=password]", "a new analyst passphrase")
    newcomer.fill("input[name=confirm]", "a new analyst passphrase")
    newcomer.get_by_role("button", name="Set password").click()
    expect(newcomer.get_by_text("Password set for new.analyst@example.org")).to_be_visible()
    browser_login(newcomer, live_server, "new.analyst@example.org", "a new analyst passphrase")
    expect(newcomer.get_by_text("new.analyst@example.org (analyst)")).to_be_visible()

    page.goto(f"{live_server}/staff")
    row = page.locator("tr", has_text="new.analyst@example.org")
    row.locator("select").select_option("designer")
    row.get_by_role("button", name="Change role").click()
    expect(page.get_by_text("new.analyst@example.org is now designer.")).to_be_visible()
    page.locator("tr", has_text="new.analyst@example.org").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("new.analyst@example.org is deactivated; every session ended.")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "staff-list-after-deactivation.png"), full_page=True)
    newcomer.reload()
    assert "/auth/login" in newcomer.url  # the deactivated user's open session ended at once
    newcomer.context.close()
