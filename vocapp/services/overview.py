"""Figures for the staff home page."""
from __future__ import annotations

from sqlalchemy import func, select

from vocapp.extensions import db
from vocapp.models import Account, Contact, PlacementRun, Response, ScoringRun, Survey

#: label -> model counted on the home page, in the order shown
COUNTED = [("Surveys", Survey), ("Accounts", Account), ("Contacts", Contact), ("Responses", Response),
           ("Scoring runs", ScoringRun), ("Canvas placements", PlacementRun)]


def home_counts() -> dict[str, int]:
    """How many surveys, accounts, contacts, responses, scoring runs and placements there are."""
    return {label: db.session.scalar(select(func.count()).select_from(model)) for label, model in COUNTED}
