"""The staff home page."""
from __future__ import annotations

from flask import Blueprint, render_template

from vocapp.core.constants import STAFF_ROLES
from vocapp.services import overview
from vocapp.web.security import role_required

bp = Blueprint("home", __name__)


@bp.route("/")
@role_required(*STAFF_ROLES)
def index():
    """What there is (each figure links to its page) and, on a new installation, the first steps."""
    figures = overview.figures()
    steps = overview.getting_started({figure.label: figure.count for figure in figures})
    return render_template("home.html", figures=figures, steps=steps)
