"""Accounts and contacts for the staff pages: searches (paged in the database), one account, one
contact and their responses. Imports live in ``vocapp.services.imports``."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from vocapp.extensions import db
from vocapp.models import Account, Contact, Response, Survey, SurveyVersion


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
