"""The webhook pages in Chromium (the strict CSP holds: the ``page`` fixture fails on any violation):
an admin registers a receiver, copies the secret, follows a delivery and replays it."""
from __future__ import annotations

import re

import pytest

from conftest import STAFF_PASSWORD
from helpers import browser_login
from respondent_setup import make_link
from test_respondent_web import _complete
from test_webhooks_delivery import hooks, run_due_until  # noqa: F401 (fixture)
from webhook_receiver import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"])]


def test_an_admin_registers_follows_and_replays_a_webhook_in_the_browser(hooks, page, live_server, make_staff,
                                                                         artifacts_dir):
    from playwright.sync_api import expect

    admin = make_staff("admin")
    browser_login(page, live_server, admin.email, STAFF_PASSWORD)
    with Receiver() as receiver:
        page.goto(f"{live_server}/webhooks/")
        page.get_by_label("URL (https://...)").fill(receiver.url)
        page.get_by_label("Description").fill("Marketing tool")
        page.get_by_label("response.completed").check()
        page.get_by_label(re.compile("Allow a private")).check()
        page.get_by_role("button", name="Register").click()
        expect(page.get_by_role("heading", name=re.compile("Secret of endpoint"))).to_be_visible()
        receiver.secret = page.locator("code.one-time-link").inner_text()
        assert receiver.secret.startswith("whsec_")
        page.screenshot(path=str(artifacts_dir / "webhooks-secret.png"), full_page=True)

        _complete(hooks.test_client(), make_link())
        run_due_until(lambda: receiver.accepted())
        page.get_by_role("link", name="Go to the endpoint").click()
        expect(page.get_by_text("Marketing tool")).to_be_visible()
        page.locator("table a").first.click()
        expect(page.get_by_role("heading", name=re.compile("Webhook delivery"))).to_be_visible()
        expect(page.get_by_role("cell", name="ok")).to_be_visible()
        page.screenshot(path=str(artifacts_dir / "webhooks-delivery.png"), full_page=True)
        page.get_by_role("button", name="Replay this delivery").click()
        expect(page.get_by_text(re.compile(r"replayed as delivery \d+"))).to_be_visible()
        run_due_until(lambda: len(receiver.accepted()) == 2)
