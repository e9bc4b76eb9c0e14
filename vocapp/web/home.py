"""The staff home page."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from vocapp.extensions import db
from vocapp.models import Account, Contact, PlacementRun, Response, ScoringRun, Survey
from vocapp.web.security import role_required

bp = Blueprint("home", __name__)


@bp.route("/")
@role_required("admin", "designer", "analyst")
def index():
    counts = {
        label: db.session.scalar(select(func.count()).select_from(model))
        for label, model in [
            ("Surveys", Survey), ("Accounts", Account), ("Contacts", Contact),
            ("Responses", Response), ("Scoring runs", ScoringRun), ("Canvas placements", PlacementRun),
        ]
    }
    return render_template("home.html", counts=counts)
