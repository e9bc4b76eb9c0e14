"""The staff home page."""
from __future__ import annotations

from flask import Blueprint, render_template

from vocapp.core.constants import STAFF_ROLES
from vocapp.services import overview
from vocapp.services.staff import list_staff
from vocapp.web.security import role_required

bp = Blueprint("home", __name__)


@bp.route("/")
@role_required(*STAFF_ROLES)
def index():
    """What there is (each figure links to its page) and, on a new installation, the first steps."""
    figures = overview.figures()
    steps = overview.getting_started({figure.label: figure.count for figure in figures})
    return render_template("home.html", figures=figures, steps=steps)


@bp.route("/staff")
@role_required("admin")
def staff():
    """Administrators see who has access and with which role."""
    return render_template("staff.html", users=list_staff())
