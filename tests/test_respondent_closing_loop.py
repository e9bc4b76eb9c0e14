"""The loop closed end to end: contacts at several accounts answer through the respondent pages (links from
real e-mails), a designer closes the campaign on its page, and the closing job scores with the frozen model
(applied, not refitted), places the accounts again and counts the zone movements shown on the campaign page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from campaign_setup import closed_loop_result
from canvas_setup import load_generated_base
from conftest import STAFF_PASSWORD
from helpers import csrf_token, login
from respondent_setup import answer_through_the_pages, emailed_links, enthusiastic_answers
from vocapp.extensions import db
from vocapp.jobs import wait_for_threads
from vocapp.models import Contact, Invitation, Response, ScoringRun
from vocapp.services.canvas import place
from vocapp.services.respondent import campaign_progress


@pytest.mark.slow
def test_closing_a_campaign_answered_through_the_pages_rescores_replaces_and_counts_movements(
        app, tmp_path, client_as, make_staff):
    load_generated_base(tmp_path, n_accounts=120)  # enough responses (230) for a fitted model to freeze
    first_placement = place()
    fitted = db.session.scalars(select(ScoringRun)).one()
    assert fitted.method == "efa" and fitted.status == "ok"
    links = emailed_links(app, "http://127.0.0.1", name="Wave 2")
    assert len(links) > 50
    accounts = dict(db.session.execute(select(Contact.email, Contact.account_id)
                                       .where(Contact.email.in_(list(links)))).all())
    # twelve contacts at six accounts, two each (the first account's first contact wants essential contact only)
    chosen: dict[int, list[str]] = {}
    for email in sorted(links):
        if len(chosen.setdefault(accounts[email], [])) < 2:
            chosen[accounts[email]].append(email)
    chosen = dict(list((account, emails) for account, emails in chosen.items() if len(emails) == 2)[:6])
    assert len(chosen) == 6
    essential_account, emails = next(iter(chosen.items()))
    for account_id, emails in chosen.items():
        for email in emails:
            answer_through_the_pages(app, links[email], enthusiastic_answers(essential=account_id == essential_account))
    answered = [links[email].invitation_id for emails in chosen.values() for email in emails]
    db.session.expire_all()
    assert db.session.scalar(select(Response.id).where(Response.invitation_id.in_(answered),
                                                      Response.status != "complete")) is None
    campaign_id = links[emails[0]].campaign_id
    assert campaign_progress(campaign_id).completed == 12

    designer = client_as("designer")
    closing = designer.post(f"/campaigns/{campaign_id}/close",
                            data={"csrf_token": csrf_token(designer, f"/campaigns/{campaign_id}")})
    assert closing.status_code == 302 and "/jobs/" in closing.headers["Location"]
    wait_for_threads()  # the closing job (a thread here: no broker configured)
    result = closed_loop_result(campaign_id, fitted, first_placement, essential_account)
    assert db.session.scalar(select(Invitation.status).where(Invitation.id == answered[0])) == "completed"

    page = designer.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert f"{result['moved']} accounts moved zone" in page
    analyst = app.test_client()  # the canvas is the analysts': they see the link to the movements
    login(analyst, make_staff("analyst").email, STAFF_PASSWORD)
    page = analyst.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert f"{result['moved']} accounts moved zone" in page
    assert f'href="/canvas/?run={result["placement_run_id"]}#movements"' in page
    # the links stop working once the campaign is closed; the answered ones still say "already answered"
    respondent = app.test_client()
    assert "already answered" in respondent.get(links[emails[0]].path).get_data(as_text=True)
