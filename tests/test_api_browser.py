"""The API token pages and the API reference in Chromium: an admin creates a token (shown once) and
revokes it; no CSP violation (the ``page`` fixture), no serious axe finding on either page."""
from __future__ import annotations


import pytest

from axe_checks import serious_violations
from conftest import STAFF_PASSWORD
from helpers import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.parametrize("backend", ["sqlite"])]


def test_an_admin_creates_and_revokes_a_token_in_the_browser(page, live_server, make_staff, db, artifacts_dir,
                                                             browser, client):
    from playwright.sync_api import expect

    admin = make_staff("admin")
    make_staff("analyst", email="ana@example.org")
    browser_login(page, live_server, admin.email, STAFF_PASSWORD)
    page.goto(f"{live_server}/api/tokens")
    page.fill("input[name=name]", "CRM sync")
    page.select_option("select[name=staff]", "ana@example.org")
    page.get_by_label("write").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#secret").input_value()
    assert secret.startswith("vocapp_")
    page.screenshot(path=str(artifacts_dir / "api-token-created.png"), full_page=True)
    assert client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    page.goto(f"{live_server}/api/tokens")
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke token 1 (CRM sync)").click()
    expect(page.get_by_text("Token 1 (CRM sync) revoked.")).to_be_visible()
    assert client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    page.goto(f"{live_server}/api/v1/reference")
    expect(page.get_by_role("heading", name="vocapp API 1")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "api-reference.png"), full_page=True)

    context = browser.new_context(bypass_csp=True)  # only to inject axe-core
    try:
        tab = context.new_page()
        browser_login(tab, live_server, admin.email, STAFF_PASSWORD)
        for url in ("/api/tokens", "/api/v1/reference"):
            tab.goto(f"{live_server}{url}")
            assert not serious_violations(tab), url
    finally:
        context.close()
