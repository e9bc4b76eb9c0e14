"""Demo step: a small invitation campaign sent to the demo's outbox, so a real invitation can be opened
offline (each .eml file opens in a mail program; its link leads to the served demo)."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from vocapp.services.campaigns import create_campaign, send_campaign

FILTERS = {"relationship": ["customer"], "role": ["decision_maker"]}


def run(context) -> str:
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    for old in outbox.glob("*.eml"):
        old.unlink()
    campaign, reach = create_campaign("b2b_relationship", "Demo: customer decision makers", filters=FILTERS,
                                      max_reminders=1, reminder_days=7)
    result = send_campaign(campaign.id)
    left_out = sum(reach.counts.values())
    return (f"campaign {campaign.id}: {result['sent']} invitation(s) written to {outbox} ({left_out} contact(s) "
            f"left out, e.g. leave-alone); open any .eml file there in a mail program - open /campaigns/")
