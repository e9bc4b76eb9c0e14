"""The director summary prints on one page from the browser (the print stylesheet), which is also how
it becomes a PDF (Chromium's print to PDF; vocapp renders no PDF itself, see docs/exports.md)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from canvas_setup import load_generated_base
from conftest import STAFF_PASSWORD
from helpers import browser_login

PDF_PAGE = re.compile(rb"/Type\s*/Page[^s]")


@pytest.mark.slow
def test_director_summary_prints_on_one_page_without_navigation(app, runner, tmp_path, make_staff, live_server,
                                                                page, artifacts_dir):
    load_generated_base(tmp_path, n_accounts=24, seed=4)
    assert runner.invoke(args=["canvas", "place"]).exit_code == 0
    analyst = make_staff("analyst")
    browser_login(page, live_server, analyst.email, STAFF_PASSWORD)
    page.goto(f"{live_server}/exports/summary")
    expect(page.get_by_text("Accounts left alone").first).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".no-print").first).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=False)
    (artifacts_dir / "director-summary.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF") and len(PDF_PAGE.findall(pdf)) == 1
