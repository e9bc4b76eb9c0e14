"""Old URLs that moved, redirected (308 keeps the method) to their new homes.

The survey designer lived at ``/designer`` and the import pages at ``/contacts/import``; bookmarks
and links in old e-mails keep working. Each redirect asks for the same roles as its new home, so an
old URL tells nobody more than the new one does.
"""
from __future__ import annotations

from flask import Blueprint, redirect, request

from vocapp.web.security import role_required

bp = Blueprint("legacy", __name__)


@bp.route("/designer/", defaults={"rest": ""}, methods=["GET", "POST"], strict_slashes=False)
@bp.route("/designer/<path:rest>", methods=["GET", "POST"])
@role_required("designer")
def designer(rest: str):
    """/designer/... is now /surveys/..."""
    return _moved(f"/surveys/{rest}")


@bp.route("/contacts/import/", defaults={"rest": ""}, methods=["GET", "POST"], strict_slashes=False)
@bp.route("/contacts/import/<path:rest>", methods=["GET", "POST"])
@role_required("designer", "analyst")
def contacts_import(rest: str):
    """/contacts/import/... is now /imports/..."""
    return _moved(f"/imports/{rest}")


def _moved(path: str):
    query = request.query_string.decode("latin-1")
    return redirect(f"{path}?{query}" if query else path, code=308)
