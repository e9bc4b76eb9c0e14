"""Staff pages for accounts and contacts: search, browse, account and contact pages.

Imports have their own area (vocapp/web/imports.py, at /imports).

Extension point: other areas add panels to the account page by appending to
``ACCOUNT_PANELS`` a function ``panel(account) -> (template name or Template, context) | None``;
each returned template is included under the contacts list with its context.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, render_template, request

from vocapp.services import contacts as contact_service
from vocapp.web import contacts_edit
from vocapp.web.hygiene import int_arg
from vocapp.web.security import role_required

if TYPE_CHECKING:
    from vocapp.models import Account

bp = Blueprint("contacts", __name__)

PER_PAGE = 50
BROWSE_ROLES = ("designer", "analyst")
AccountPanel = Callable[["Account"], tuple[str, dict[str, Any]] | None]
#: panels shown on the account page (scores, placements, ...), appended by other areas
ACCOUNT_PANELS: list[AccountPanel] = []


def _search_term() -> str:
    return request.args.get("q", "").strip()[:200]


@bp.route("/")
@role_required(*BROWSE_ROLES)
def index():
    """Accounts, searchable by name or the CRM's account id, with their number of contacts."""
    term = _search_term()
    page, counts = contact_service.search_accounts(term, int_arg("page", 1), PER_PAGE)
    return render_template("contacts/index.html", page=page, counts=counts, q=term)


@bp.route("/people")
@role_required(*BROWSE_ROLES)
def people():
    """Contacts, searchable by e-mail or name."""
    term = _search_term()
    page = contact_service.search_contacts(term, int_arg("page", 1), PER_PAGE)
    return render_template("contacts/people.html", page=page, q=term)


@bp.route("/accounts/<int:account_id>")
@role_required(*BROWSE_ROLES)
def account(account_id: int):
    """One account: its details, its contacts and the panels other areas add."""
    found = contact_service.get_account(account_id) or abort(404)
    panels = [panel for panel in (make(found) for make in ACCOUNT_PANELS) if panel]
    return render_template("contacts/account.html", account=found, panels=panels)


@bp.route("/people/<int:contact_id>")
@role_required(*BROWSE_ROLES)
def contact(contact_id: int):
    """One contact: details, attributes and responses (newest first)."""
    found = contact_service.get_contact(contact_id) or abort(404)
    return render_template("contacts/contact.html", contact=found,
                           responses=contact_service.contact_responses(found.id), confirm=contacts_edit.ConfirmForm())


# --- editing and data rights (vocapp/web/contacts_edit.py) --------------------------------------------
bp.add_url_rule("/people/<int:contact_id>/edit", "edit", contacts_edit.edit, methods=["GET", "POST"])
bp.add_url_rule("/people/<int:contact_id>/<any(unsubscribe, resubscribe):state>", "unsubscribe",
                contacts_edit.unsubscribe, methods=["POST"])
bp.add_url_rule("/people/<int:contact_id>/data", "person_data", contacts_edit.person_data)
bp.add_url_rule("/people/<int:contact_id>/data.json", "person_data_json", contacts_edit.person_data,
                defaults={"download": True})
bp.add_url_rule("/people/<int:contact_id>/erase", "erase", contacts_edit.erase, methods=["GET", "POST"])
