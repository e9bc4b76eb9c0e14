"""Staff pages for accounts and contacts: search, browse, account and contact pages.

Imports have their own area (vocapp/web/imports.py, at /imports).

Extension point: other areas add panels to the account page by appending to
``ACCOUNT_PANELS`` a function ``panel(account) -> (template name or Template, context) | None``;
each returned template is included under the contacts list with its context.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, render_template, request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from vocapp.extensions import db
from vocapp.models import Account, Contact, Response, Survey, SurveyVersion
from vocapp.web import contacts_edit
from vocapp.web.hygiene import int_arg
from vocapp.web.security import role_required

bp = Blueprint("contacts", __name__)

PER_PAGE = 50
BROWSE_ROLES = ("designer", "analyst")
AccountPanel = Callable[[Account], tuple[str, dict[str, Any]] | None]
#: panels shown on the account page (scores, placements, ...), appended by other areas
ACCOUNT_PANELS: list[AccountPanel] = []


def _search_term() -> str:
    return request.args.get("q", "").strip()[:200]


@bp.route("/")
@role_required(*BROWSE_ROLES)
def index():
    """Accounts, searchable by name or account id, with their number of contacts."""
    term = _search_term()
    query = select(Account).order_by(Account.name, Account.id)
    if term:  # contains(autoescape=True): % and _ in the search match themselves
        query = query.where(or_(func.lower(Account.name).contains(term.lower(), autoescape=True),
                                func.lower(Account.external_id).contains(term.lower(), autoescape=True)))
    page = db.paginate(query, page=int_arg("page", 1), per_page=PER_PAGE, error_out=False)
    ids = [item.id for item in page.items]
    counts = dict(db.session.execute(select(Contact.account_id, func.count(Contact.id))
                                     .where(Contact.account_id.in_(ids)).group_by(Contact.account_id)).all())
    return render_template("contacts/index.html", page=page, counts=counts, q=term)


@bp.route("/people")
@role_required(*BROWSE_ROLES)
def people():
    """Contacts, searchable by e-mail or name; each row's account comes from the same query."""
    term = _search_term()
    query = select(Contact).join(Account).options(contains_eager(Contact.account)).order_by(Contact.email)
    if term:
        full_name = func.lower(Contact.first_name + " " + Contact.last_name)
        query = query.where(or_(Contact.email.contains(term.lower(), autoescape=True),
                                full_name.contains(term.lower(), autoescape=True)))
    page = db.paginate(query, page=int_arg("page", 1), per_page=PER_PAGE, error_out=False)
    return render_template("contacts/people.html", page=page, q=term)


@bp.route("/accounts/<int:account_id>")
@role_required(*BROWSE_ROLES)
def account(account_id: int):
    """One account: its details, its contacts and the panels other areas add."""
    found = db.session.get(Account, account_id) or abort(404)
    panels = [panel for panel in (make(found) for make in ACCOUNT_PANELS) if panel]
    return render_template("contacts/account.html", account=found, panels=panels)


@bp.route("/people/<int:contact_id>")
@role_required(*BROWSE_ROLES)
def contact(contact_id: int):
    """One contact: details, attributes and responses (newest first)."""
    found = db.session.get(Contact, contact_id) or abort(404)
    responses = db.session.execute(
        select(Response, Survey.slug, SurveyVersion.number)
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .join(Survey, Survey.id == SurveyVersion.survey_id)
        .where(Response.contact_id == found.id)
        .order_by(Response.submitted_at.desc(), Response.id.desc())).all()
    return render_template("contacts/contact.html", contact=found, responses=responses,
                           confirm=contacts_edit.ConfirmForm())


# --- editing and data rights (vocapp/web/contacts_edit.py) --------------------------------------------
bp.add_url_rule("/people/<int:contact_id>/edit", "edit", contacts_edit.edit, methods=["GET", "POST"])
bp.add_url_rule("/people/<int:contact_id>/<any(unsubscribe, resubscribe):state>", "unsubscribe",
                contacts_edit.unsubscribe, methods=["POST"])
bp.add_url_rule("/people/<int:contact_id>/data", "person_data", contacts_edit.person_data)
bp.add_url_rule("/people/<int:contact_id>/data.json", "person_data_json", contacts_edit.person_data,
                defaults={"download": True})
bp.add_url_rule("/people/<int:contact_id>/erase", "erase", contacts_edit.erase, methods=["GET", "POST"])
