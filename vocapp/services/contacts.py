"""Accounts and contacts for the staff pages: searches (paged in the database), one account, one
contact and their responses; editing a contact and unsubscribing it (audited). Imports live in
``vocapp.services.imports``, data rights in ``vocapp.services.rights``."""
from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import RELATIONSHIPS, Account, Contact, Response, StaffUser, Survey, SurveyVersion, utcnow
from vocapp.services.staff import record_action


def search_accounts(term: str, page: int, per_page: int) -> tuple[Any, dict[int, int]]:
    """One page of accounts by name (then id) whose name or CRM id contains ``term`` (any case; % and _
    match themselves), and the number of contacts of each account on the page."""
    query = select(Account).order_by(Account.name, Account.id)
    if term:
        query = query.where(or_(func.lower(Account.name).contains(term.lower(), autoescape=True),
                                func.lower(Account.external_id).contains(term.lower(), autoescape=True)))
    found = db.paginate(query, page=page, per_page=per_page, error_out=False)
    ids = [account.id for account in found.items]
    counts = dict(db.session.execute(select(Contact.account_id, func.count(Contact.id))
                                     .where(Contact.account_id.in_(ids)).group_by(Contact.account_id)).all())
    return found, counts


def search_contacts(term: str, page: int, per_page: int) -> Any:
    """One page of contacts by e-mail whose e-mail or full name contains ``term``; each contact's account
    comes from the same query."""
    query = select(Contact).join(Account).options(contains_eager(Contact.account)).order_by(Contact.email)
    if term:
        full_name = func.lower(Contact.first_name + " " + Contact.last_name)
        query = query.where(or_(Contact.email.contains(term.lower(), autoescape=True),
                                full_name.contains(term.lower(), autoescape=True)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_account(account_id: int) -> Account | None:
    """Account ``account_id`` (the database key), or None."""
    return db.session.get(Account, account_id)


def get_contact(contact_id: int) -> Contact | None:
    """Contact ``contact_id``, or None."""
    return db.session.get(Contact, contact_id)


def contact_responses(contact_id: int) -> list[tuple[Response, str, int]]:
    """A contact's responses, newest first, each with its survey id and version number."""
    return db.session.execute(
        select(Response, Survey.slug, SurveyVersion.number)
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .join(Survey, Survey.id == SurveyVersion.survey_id)
        .where(Response.contact_id == contact_id)
        .order_by(Response.submitted_at.desc(), Response.id.desc())).all()


def external_ids() -> dict[int, str]:
    """Every account's CRM id by its database key."""
    return dict(db.session.execute(select(Account.id, Account.external_id)).all())


EDITABLE = ("email", "first_name", "last_name", "relationship", "role", "language")
LIMITS = {"email": 320, "first_name": 120, "last_name": 120, "role": 40, "language": 12}


class ContactError(VocappError, ValueError):
    """A contact cannot be changed; the message names the field."""


def _clean(contact: Contact, field: str, value: Any) -> Any:
    text = (value or "").strip()
    if len(text) > LIMITS.get(field, 10**6):
        raise ContactError(f"{field}: at most {LIMITS[field]} characters")
    if field == "email":
        try:
            text = validate_email(text, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise ContactError(f"email: {exc}") from exc
        other = db.session.scalar(select(Contact.id).where(Contact.email == text, Contact.id != contact.id))
        if other is not None:
            raise ContactError(f"email: another contact already has {text}")
    if field == "relationship" and text not in RELATIONSHIPS:
        raise ContactError(f"relationship: {text!r} is not one of {', '.join(RELATIONSHIPS)}")
    if field in ("role", "language"):
        return text or None
    return text


def update_contact(contact: Contact, changes: dict[str, Any], staff: StaffUser | None = None) -> list[str]:
    """Apply ``changes`` (fields of EDITABLE) to a contact; returns the fields that changed. The audit
    entry names the fields, not their values (no personal data in the log)."""
    if contact.erased_at is not None:
        raise ContactError("this contact was erased and cannot be edited")
    cleaned = {field: _clean(contact, field, changes[field]) for field in EDITABLE if field in changes}
    changed = [field for field, value in cleaned.items() if getattr(contact, field) != value]
    for field in changed:
        setattr(contact, field, cleaned[field])
    if changed:
        record_action(staff, "contact.edit", "contact", contact.id, {"fields": changed})
    db.session.commit()
    return changed


def set_unsubscribed(contact: Contact, unsubscribed: bool, staff: StaffUser | None = None) -> None:
    """Unsubscribe a contact from invitations (or subscribe again); audited."""
    if contact.erased_at is not None:
        raise ContactError("this contact was erased; it stays unsubscribed")
    if unsubscribed == (contact.unsubscribed_at is not None):
        return
    contact.unsubscribed_at = utcnow() if unsubscribed else None
    record_action(staff, "contact.unsubscribe" if unsubscribed else "contact.resubscribe", "contact", contact.id)
    db.session.commit()
