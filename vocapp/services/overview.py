"""The figures on the staff home page and the getting-started steps of a new installation."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from vocapp.extensions import db
from vocapp.models import Account, Campaign, Contact, PlacementRun, Response, ScoringRun, Survey, Transaction

#: (label, model counted, endpoint of the page that lists them, roles that may open it)
FIGURES = [
    ("Surveys", Survey, "surveys.index", ("designer",)),
    ("Accounts", Account, "contacts.index", ("designer", "analyst")),
    ("Contacts", Contact, "contacts.people", ("designer", "analyst")),
    ("Responses", Response, "scoring.index", ("analyst",)),
    ("Scoring runs", ScoringRun, "scoring.index", ("analyst",)),
    ("Canvas placements", PlacementRun, "canvas.index", ("analyst",)),
]


@dataclass(frozen=True)
class Figure:
    label: str
    count: int
    endpoint: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One step of getting started: what to do, whether it is done, and where to do it."""

    text: str
    done: bool
    endpoint: str
    roles: tuple[str, ...]


def figures() -> list[Figure]:
    """How many of each thing there are (one count query per figure), with the page that lists them."""
    return [Figure(label, int(db.session.scalar(select(func.count()).select_from(model)) or 0), endpoint, roles)
            for label, model, endpoint, roles in FIGURES]


def getting_started(counts: dict[str, int]) -> list[Step] | None:
    """The first steps of a new installation, or None once it has been placed on the canvas."""
    if counts.get("Canvas placements"):
        return None
    campaigns = int(db.session.scalar(select(func.count(Campaign.id))) or 0)
    transactions = int(db.session.scalar(select(func.count(Transaction.id))) or 0)
    return [
        Step("Load a questionnaire (the default one is in survey_definitions/) or design one", bool(counts.get("Surveys")),
             "surveys.index", ("designer",)),
        Step("Import your accounts and contacts (CSV or Excel from the CRM)", bool(counts.get("Contacts")),
             "imports.index", ("designer",)),
        Step("Import fees and purchases (transactions)", bool(transactions), "imports.index", ("analyst",)),
        Step("Invite contacts with a campaign, or import last year's responses", bool(campaigns or counts.get("Responses")),
             "campaigns.index", ("designer",)),
        Step("Score the responses", bool(counts.get("Scoring runs")), "scoring.index", ("analyst",)),
        Step("Place the accounts on the canvas", False, "canvas.index", ("analyst",)),
    ]
