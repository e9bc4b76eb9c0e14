"""Data rights: everything stored about a person, erasure, and retention of old responses.

Erasure keeps the contact row (its id, account, relationship and role, which account aggregates
need) and removes everything personal: names, language, attributes, consent, the e-mail (replaced by
a keyed, non-reversible placeholder), free-text answers, and every invitation token. Retention
anonymises old responses: free text removed and the link to the contact and invitation cut.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import String, and_, cast, delete, inspect, or_, select

from vocapp.core.surveys import iter_items
from vocapp.core.tokens import new_token
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import (Account, AuditEntry, Campaign, Contact, ContactScore, Invitation, Response, StaffUser,
                           SurveyVersion, utcnow)
from vocapp.services.staff import record_action

RESPONSE_MODES = ("keep-anonymised", "delete")
ERASED_DOMAIN = "erased.invalid"


class RightsError(VocappError):
    """A data-rights request cannot be carried out; the message says why."""


def erased_placeholder(email: str) -> str:
    """The placeholder that replaces an erased e-mail: an HMAC under the app's secret key, so it cannot
    be turned back into the address, yet the same address always maps to it (an erased person can be
    recognised, never re-identified)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:40]
    return f"erased-{digest}@{ERASED_DOMAIN}"


def is_erased_email(email: str) -> bool:
    """Whether the person with this e-mail was erased (never to be imported or invited again)."""
    return db.session.scalar(select(Contact.id).where(Contact.email == erased_placeholder(email))) is not None


def find_contact(email: str) -> Contact:
    """The contact with this e-mail; RightsError when there is none or it was erased."""
    address = email.strip().lower()
    contact = db.session.scalar(select(Contact).where(Contact.email == address))
    if contact is None:
        if is_erased_email(address):
            raise RightsError(f"{address}: this person was erased; nothing personal is stored")
        raise RightsError(f"{address}: no contact with this e-mail")
    return contact


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _row(obj: Any, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of an ORM object as plain JSON values."""
    return {c.key: _plain(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs if c.key not in leave_out}


def _audit_naming(contact: Contact) -> list[AuditEntry]:
    """Audit entries about the contact, or whose details mention its e-mail."""
    mentions = cast(AuditEntry.details, String).contains(contact.email, autoescape=True)
    stmt = select(AuditEntry).where(or_((AuditEntry.target_type == "contact")
                                        & (AuditEntry.target_id == str(contact.id)), mentions))
    return list(db.session.scalars(stmt.order_by(AuditEntry.id)))


def person_record(email: str) -> dict[str, Any]:
    """Everything stored about a person, as JSON-ready data: the contact and its account, invitations
    (without token hashes), responses with their survey, scores of each response, audit entries."""
    contact = find_contact(email)
    account = db.session.get(Account, contact.account_id)
    invitations = db.session.execute(select(Invitation, Campaign.name).join(Campaign)
                                     .where(Invitation.contact_id == contact.id).order_by(Invitation.id)).all()
    responses = db.session.execute(select(Response, SurveyVersion.number).join(SurveyVersion)
                                   .where(Response.contact_id == contact.id).order_by(Response.id)).all()
    ids = [response.id for response, _ in responses]
    scores = db.session.scalars(select(ContactScore).where(ContactScore.response_id.in_(ids))
                                .order_by(ContactScore.run_id, ContactScore.response_id)).all()
    return {
        "exported_at": utcnow().isoformat(),
        "contact": _row(contact),
        "account": {"external_id": account.external_id, "name": account.name},
        "invitations": [{**_row(inv, ("token_hash",)), "campaign": name} for inv, name in invitations],
        "responses": [{**_row(r), "survey_version": number} for r, number in responses],
        "scores": [_row(s) for s in scores],
        "audit_entries": [_row(e) for e in _audit_naming(contact)],
    }


def _text_items(version_ids: set[int]) -> dict[int, set[str]]:
    versions = db.session.execute(select(SurveyVersion.id, SurveyVersion.definition)
                                  .where(SurveyVersion.id.in_(version_ids))).all()
    return {vid: {ref.item.get("id") for ref in iter_items(defn) if ref.item.get("type") == "text"}
            for vid, defn in versions}


def _without_text(response: Response, text_items: dict[int, set[str]]) -> None:
    drop = text_items.get(response.survey_version_id, set())
    if drop & set(response.answers):
        response.answers = {k: v for k, v in response.answers.items() if k not in drop}


@dataclass
class Erasure:
    """What an erasure did (no personal data): the contact id, responses kept or deleted, invitations revoked."""

    contact_id: int
    responses: str
    n_responses: int
    n_invitations: int


def erase_contact(email: str, responses: str = "keep-anonymised", staff: StaffUser | None = None) -> Erasure:
    """Erase a person, all or nothing: personal fields removed, the e-mail replaced by its placeholder,
    free-text answers removed, invitations revoked (tokens replaced), answers kept anonymised (the
    scores and account aggregates they gave stay as they were) or deleted; one audit entry without
    personal data. Erased contacts are never invited or exported again."""
    if responses not in RESPONSE_MODES:
        raise RightsError(f"--responses: {responses!r} is not one of {', '.join(RESPONSE_MODES)}")
    contact = find_contact(email)
    now = utcnow()
    try:
        address, placeholder = contact.email, erased_placeholder(contact.email)
        for entry in _audit_naming(contact):
            text = json.dumps(entry.details or {})
            if address in text:
                entry.details = json.loads(text.replace(address, "[erased]"))
        invitations = list(db.session.scalars(select(Invitation).where(Invitation.contact_id == contact.id)))
        for invitation in invitations:
            invitation.token_hash = new_token()[1]
            invitation.last_error, invitation.revoked_at = None, now
            if invitation.status != "completed":
                invitation.status = "revoked"
        answered = list(db.session.scalars(select(Response).where(Response.contact_id == contact.id)))
        if responses == "delete":
            db.session.execute(delete(Response).where(Response.contact_id == contact.id))
        else:
            text_items = _text_items({r.survey_version_id for r in answered})
            for response in answered:
                _without_text(response, text_items)
                response.anonymised_at = now
        from vocapp.services.webhooks import forget_address

        forget_address(address)  # stored webhook messages (docs/webhooks.md)
        contact.email, contact.first_name, contact.last_name = placeholder, "", ""
        contact.language, contact.attributes, contact.consent_at = None, {}, None
        contact.unsubscribed_at = contact.unsubscribed_at or now
        contact.erased_at = now
        result = Erasure(contact.id, responses, len(answered), len(invitations))
        record_action(staff, "contact.erase", "contact", contact.id,
                      {"responses": responses, "n_responses": result.n_responses,
                       "n_invitations": result.n_invitations})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def retention_cutoff(months: int, now: dt.datetime | None = None) -> dt.datetime:
    """The moment ``months`` calendar months before ``now`` (day clipped to the month's length)."""
    now = now or utcnow()
    total = now.year * 12 + now.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][month - 1]
    return now.replace(year=year, month=month, day=min(now.day, days))


@dataclass
class Retention:
    """One retention pass: the cutoff and how many responses were (or, dry run, would be) anonymised."""

    months: int | None
    cutoff: dt.datetime | None
    n_responses: int
    dry_run: bool


def apply_retention(months: int | None = None, dry_run: bool = False, now: dt.datetime | None = None,
                    staff: StaffUser | None = None) -> Retention:
    """Anonymise responses last touched before ``months`` months ago (default VOCAPP_RETENTION_MONTHS;
    unset: keep everything): free-text answers removed, the contact and invitation links cut. Stored
    scores are untouched. All or nothing."""
    months = current_app.config.get("RETENTION_MONTHS") if months is None else months
    if months is None:
        return Retention(None, None, 0, dry_run)
    if months < 1:
        raise RightsError(f"retention: months must be at least 1, got {months}")
    cutoff = retention_cutoff(months, now)
    when = or_(Response.submitted_at < cutoff, and_(Response.submitted_at.is_(None), Response.updated_at < cutoff))
    old = select(Response).where(when, Response.anonymised_at.is_(None)).order_by(Response.id)
    if dry_run:
        count = len(db.session.scalars(old.with_only_columns(Response.id)).all())
        return Retention(months, cutoff, count, True)
    try:
        found = list(db.session.scalars(old))
        text_items = _text_items({r.survey_version_id for r in found})
        stamp = utcnow()
        for response in found:
            _without_text(response, text_items)
            response.contact_id, response.invitation_id, response.anonymised_at = None, None, stamp
        if found:
            record_action(staff, "retention.apply", "responses", None,
                          {"months": months, "cutoff": cutoff.isoformat(), "n_responses": len(found)})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return Retention(months, cutoff, len(found), False)
