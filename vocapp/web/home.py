"""The staff home page."""
from __future__ import annotations

from flask import Blueprint, render_template

from vocapp.core.constants import STAFF_ROLES
from vocapp.services.overview import home_counts
from vocapp.services.staff import list_staff
from vocapp.web.security import role_required

bp = Blueprint("home", __name__)


@bp.route("/")
@role_required(*STAFF_ROLES)
def index():
    return render_template("home.html", counts=home_counts())


@bp.route("/staff")
@role_required("admin")
def staff():
    """Administrators see who has access and with which role."""
    return render_template("staff.html", users=list_staff())
