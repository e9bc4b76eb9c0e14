"""Analysts move between an account's contacts page and its canvas page; the flag shows on both."""
from __future__ import annotations

import re

from sqlalchemy import select

from canvas_setup import load_generated_base
from vocapp.extensions import db
from vocapp.models import Account, Placement
from vocapp.services.canvas import place


def test_contacts_account_page_shows_zone_flag_and_link_for_analysts_only(app, tmp_path, client_as):
    load_generated_base(tmp_path, n_accounts=30, seed=4)
    run = place()
    flagged = db.session.scalars(select(Placement).where(Placement.run_id == run.id, Placement.leave_alone)).first()
    assert flagged is not None
    account = db.session.get(Account, flagged.account_id)
    analyst = client_as("analyst")
    page = analyst.get(f"/contacts/accounts/{account.id}").get_data(as_text=True)
    panel = re.search(r'<section aria-labelledby="canvas-panel-title">(.*?)</section>', page, re.S).group(1)
    assert flagged.zone in panel and "leave alone" in panel
    assert str(flagged.leave_alone_reason).split(";")[0] in panel
    assert f'href="/canvas/accounts/{account.id}"' in panel
    canvas_page = analyst.get(f"/canvas/accounts/{account.id}").get_data(as_text=True)
    assert f'href="/contacts/accounts/{account.id}"' in canvas_page
    # recency counts fees too (docs/canvas.md), so the page must not call it "last purchase"
    assert "Days since last payment (fee or purchase)" in canvas_page and "since last purchase" not in canvas_page


def test_designers_see_no_canvas_panel(app, tmp_path, client_as):
    load_generated_base(tmp_path, n_accounts=30, seed=4)
    place()
    account = db.session.scalars(select(Account).order_by(Account.id)).first()
    page = client_as("designer").get(f"/contacts/accounts/{account.id}").get_data(as_text=True)
    assert "canvas-panel-title" not in page and "/canvas/accounts/" not in page
