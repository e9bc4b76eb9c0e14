"""The staff home page."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from vocapp.extensions import db
from vocapp.models import StaffUser
from vocapp.services import overview
from vocapp.web.security import role_required

bp = Blueprint("home", __name__)


@bp.route("/")
@role_required("admin", "designer", "analyst")
def index():
    """What there is (each figure links to its page) and, on a new installation, the first steps."""
    figures = overview.figures()
    steps = overview.getting_started({figure.label: figure.count for figure in figures})
    return render_template("home.html", figures=figures, steps=steps)


@bp.route("/staff")
@role_required("admin")
def staff():
    """Administrators see who has access and with which role."""
    users = db.session.scalars(select(StaffUser).order_by(StaffUser.email)).all()
    return render_template("staff.html", users=users)
