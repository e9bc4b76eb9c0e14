"""Closing a campaign re-scores the survey with its frozen model, re-places the accounts and counts
the zone movements; a contact's "essential contact only" applies in the new placement at once."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from campaign_setup import closed_loop_result
from canvas_setup import DEFINITION, load_generated_base
from vocapp.core.surveys import iter_items, load_definition_file as read_definition
from vocapp.extensions import db
from vocapp.jobs import enqueue, wait_for_threads
from vocapp.models import Contact, Invitation, ScoringRun
from vocapp.services.campaigns import close_campaign, create_campaign, send_campaign
from vocapp.services.canvas import place
from vocapp.services.imports import import_responses


def _enthusiastic_answers(emails: list[str], essential: str) -> pd.DataFrame:
    definition, _ = read_definition(DEFINITION)
    likert = {ref.item["id"]: ref.item.get("reverse", False) for ref in iter_items(definition)
              if ref.item["type"] == "likert"}
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    rows = [{"email": e, "submitted_at": now, **{i: (1 if rev else 5) for i, rev in likert.items()},
             "contact_preference": "essential_only" if e == essential else "open_to_more"} for e in emails]
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_closing_rescores_with_the_frozen_model_replaces_and_counts_movements(app, tmp_path, client_as):
    load_generated_base(tmp_path, n_accounts=120)  # enough responses (230) for a fitted model to freeze
    first_placement = place()
    fitted = db.session.scalars(select(ScoringRun)).one()
    assert fitted.method == "efa" and fitted.status == "ok"
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    campaign, _ = create_campaign("b2b_relationship", "Wave 2")
    assert send_campaign(campaign.id)["sent"] > 10
    invited = db.session.execute(select(Invitation, Contact.email, Contact.account_id).join(Contact).where(
        Invitation.campaign_id == campaign.id).order_by(Invitation.id).limit(12)).all()
    emails = [email for _, email, _ in invited]
    essential_account = invited[0][2]
    answers = _enthusiastic_answers(emails, essential=emails[0])
    answers.to_csv(tmp_path / "wave2.csv", index=False)
    assert import_responses(tmp_path / "wave2.csv", "b2b_relationship").ok
    # imported responses leave the invitations as they are: only the respondent pages move them
    # (tests/test_respondent_closing_loop.py closes a campaign answered through the pages)

    close_campaign(campaign.id)
    enqueue("campaigns.close", campaign_id=campaign.id)  # as the page does (a thread here: no broker)
    wait_for_threads()
    result = closed_loop_result(campaign.id, fitted, first_placement, essential_account)
    invitation = db.session.get(Invitation, invited[0][0].id)
    assert invitation.expires_at <= dt.datetime.now(dt.timezone.utc)

    page = client_as("analyst").get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"{result['moved']} accounts moved zone" in page
    assert f'href="/canvas/?run={result["placement_run_id"]}#movements"' in page
