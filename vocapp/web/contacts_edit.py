"""Changing a contact from its page: edit (designer), unsubscribe (designer), and the data-rights
pages (admin): everything stored about the person as JSON, and erasure with confirmation.

The views are registered on the contacts blueprint in vocapp/web/contacts.py.
"""
from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from typing import TYPE_CHECKING

from vocapp.core.constants import RELATIONSHIPS
from vocapp.errors import VocappError
from vocapp.services.contacts import get_contact, set_unsubscribed, update_contact
from vocapp.services.rights import erase_contact, person_record
from vocapp.web.security import role_required

if TYPE_CHECKING:
    from vocapp.models import Contact


class ContactForm(FlaskForm):
    email = StringField("E-mail", validators=[DataRequired(), Length(max=320)])
    first_name = StringField("First name", validators=[Optional(), Length(max=120)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=120)])
    relationship = SelectField("Relationship", choices=[SelectChoice(r) for r in RELATIONSHIPS])
    role = StringField("Role", validators=[Optional(), Length(max=40)])
    language = StringField("Language (e.g. en, fr)", validators=[Optional(), Length(max=12)])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token (unsubscribe, subscribe again)."""


class EraseForm(FlaskForm):
    confirm_email = StringField("Type the contact's e-mail to confirm", validators=[DataRequired()])
    responses = RadioField("Their answers", default="keep-anonymised", choices=[
        SelectChoice("keep-anonymised", "Keep anonymised: free text removed; scores and account aggregates unchanged"),
        SelectChoice("delete", "Delete them")])


def _contact(contact_id: int) -> Contact:
    found = get_contact(contact_id)
    if found is None or found.erased_at is not None:
        abort(404)
    return found


@role_required("designer")
def edit(contact_id: int):
    """Edit a contact's details (audited: the fields changed, not their values)."""
    contact = _contact(contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            changed = update_contact(contact, {name: form[name].data for name in ContactForm.__dict__
                                               if name in form and name != "csrf_token"}, current_user)
        except VocappError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Saved: {', '.join(changed)}." if changed else "Nothing changed.", "success")
            return redirect(url_for("contacts.contact", contact_id=contact.id))
    return render_template("contacts/edit.html", contact=contact, form=form)


@role_required("designer")
def unsubscribe(contact_id: int, state: str):
    """Unsubscribe the contact from invitations, or subscribe again (audited)."""
    contact = _contact(contact_id)
    if ConfirmForm().validate_on_submit():
        set_unsubscribed(contact, state == "unsubscribe", current_user)
        flash("Unsubscribed: no more invitations." if state == "unsubscribe" else "Subscribed again.", "success")
    return redirect(url_for("contacts.contact", contact_id=contact.id))


@role_required()
def person_data(contact_id: int, download: bool = False):
    """Everything stored about the person (admin): shown as JSON, or downloaded."""
    contact = _contact(contact_id)
    record = person_record(contact.email)
    text = json.dumps(record, ensure_ascii=False, indent=1)
    if download:
        return Response(text + "\n", mimetype="application/json", headers={
            "Content-Disposition": f'attachment; filename="contact-{contact.id}.json"'})
    return render_template("contacts/person_data.html", contact=contact, text=text, record=record)


@role_required()
def erase(contact_id: int):
    """Erase the person (admin), after typing their e-mail to confirm."""
    contact = _contact(contact_id)
    form = EraseForm()
    if form.validate_on_submit():
        if form.confirm_email.data.strip().lower() != contact.email:
            form.confirm_email.errors.append("This is not the contact's e-mail; nothing was erased.")
        else:
            done = erase_contact(contact.email, form.responses.data, current_user)
            flash(f"Contact {done.contact_id} erased: {done.n_responses} responses "
                  f"{'deleted' if done.responses == 'delete' else 'kept anonymised'}, "
                  f"{done.n_invitations} invitations revoked.", "success")
            return redirect(url_for("contacts.account", account_id=contact.account_id))
    return render_template("contacts/erase.html", contact=contact, form=form)
