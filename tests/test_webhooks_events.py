"""A real campaign close announces campaign.closed, and the placement its closing job makes announces
each account's zone and leave-alone change since the previous placement, with the documented payloads."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from canvas_setup import load_generated_base
from respondent_setup import answer_through_the_pages, emailed_links, enthusiastic_answers
from test_webhooks_delivery import hooks, register, run_due_until  # noqa: F401 (fixture)
from vocapp.extensions import db
from vocapp.jobs import enqueue, wait_for_threads
from vocapp.models import Account, Campaign, Placement
from vocapp.services.campaigns import close_campaign
from vocapp.services.canvas import place
from webhook_receiver import Receiver

EVENTS = ("campaign.closed", "account.zone_changed", "account.leave_alone_changed")


def _changes(first_id: int, second_id: int) -> tuple[set, set]:
    """(external id, from zone, to zone) and (external id, was, is left alone) from the stored runs."""
    before, after = aliased(Placement), aliased(Placement)
    rows = db.session.execute(select(Account.external_id, before.zone, after.zone, before.leave_alone,
                                     after.leave_alone)
                              .join(after, after.account_id == Account.id).join(
        before, (before.account_id == Account.id) & (before.run_id == first_id)).where(after.run_id == second_id)).all()
    return ({(e, z0, z1) for e, z0, z1, _, _ in rows if z0 != z1},
            {(e, bool(l0), bool(l1)) for e, _, _, l0, l1 in rows if bool(l0) != bool(l1)})


@pytest.mark.slow
def test_closing_a_campaign_announces_the_close_and_every_zone_and_leave_alone_change(hooks, tmp_path):
    load_generated_base(tmp_path, n_accounts=120)
    first = place()
    with Receiver() as receiver:
        register(receiver, *EVENTS)
        links = emailed_links(hooks, "http://127.0.0.1", name="Wave 2")  # real e-mails to a loopback server
        emails = sorted(links)[:12]
        for email in emails:  # answered through the respondent pages, which complete the invitations
            answer_through_the_pages(hooks, links[email], enthusiastic_answers(essential=email == emails[0]))
        campaign = db.session.get(Campaign, links[emails[0]].campaign_id)

        close_campaign(campaign.id)
        enqueue("campaigns.close", campaign_id=campaign.id)
        wait_for_threads()
        db.session.expire_all()
        result = db.session.get(Campaign, campaign.id).close_result
        assert result["status"] == "done", result
        zones, flags = _changes(first.id, result["placement_run_id"])
        assert zones and flags  # the close moved accounts and flagged the essential-only one
        expected = 1 + len(zones) + len(flags)
        run_due_until(lambda: len(receiver.accepted()) >= expected, timeout=60)

    assert all(r["verified"] for r in receiver.received) and len(receiver.accepted()) == expected
    closed = receiver.payloads("campaign.closed")
    assert len(closed) == 1
    data = closed[0]["data"]
    assert data["campaign"] == {"id": campaign.id, "name": "Wave 2"} and data["survey"] == "b2b_relationship"
    assert data["completed"] == 12 and data["invitations"] == sum(data["by_status"].values()) >= 12
    assert data["closed_at"].endswith("Z") and data["sent_at"].endswith("Z")

    moved = receiver.payloads("account.zone_changed")
    assert {(p["data"]["account"]["external_id"], p["data"]["from_zone"], p["data"]["to_zone"]) for p in moved} == zones
    assert len(moved) == len(zones)
    sample = moved[0]["data"]
    assert sample["placement_run_id"] == result["placement_run_id"] and sample["previous_placement_run_id"] == first.id
    assert set(sample) == {"account", "from_zone", "to_zone", "readiness", "opportunity", "placement_run_id",
                           "previous_placement_run_id", "placed_at"}
    assert set(sample["account"]) == {"id", "external_id", "name"}

    flagged = receiver.payloads("account.leave_alone_changed")
    assert {(p["data"]["account"]["external_id"], p["data"]["previous_leave_alone"], p["data"]["leave_alone"])
            for p in flagged} == flags
    essential = next(p["data"] for p in flagged if p["data"]["leave_alone"])
    assert "essential contact only" in essential["reason"] and essential["previous_reason"] is None
    assert len({r["headers"]["webhook-id"] for r in receiver.received}) == expected  # one id per event
