"""Administrators' pages for personal API tokens: list, create (the secret shown once), revoke."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from vocapp.core.constants import STAFF_ROLES
from vocapp.errors import VocappError
from vocapp.services.api import tokens as token_service
from vocapp.services.staff import list_staff
from vocapp.web.api.routes import bp
from vocapp.web.security import role_required


class TokenForm(FlaskForm):
    name = StringField("What it is for", validators=[DataRequired(), Length(max=120)])
    staff = SelectField("Acts for staff user", choices=[])
    integration_role = SelectField("Or, for an integration, acts with the role",
                                   choices=[SelectChoice("", "(none: a staff user's token)")]
                                   + [SelectChoice(role) for role in STAFF_ROLES])
    scopes = SelectMultipleField("Scopes", choices=[SelectChoice("read"), SelectChoice("write")], default=["read"],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    days = IntegerField("Expires after (days)", default=token_service.DEFAULT_DAYS,
                        validators=[NumberRange(1, token_service.MAX_DAYS)])


class RevokeForm(FlaskForm):
    pass


def _form() -> TokenForm:
    form = TokenForm()
    form.staff.choices = [SelectChoice("", "(none: an integration's token)")] + [
        SelectChoice(user.email, f"{user.email} ({user.role})") for user in list_staff() if user.active]
    return form


def _page(form: TokenForm, secret: str | None = None, created=None):
    return render_template("api/tokens.html", form=form, tokens=token_service.list_tokens(),
                           state=token_service.token_state, secret=secret, created=created, revoke=RevokeForm())


@bp.route("/tokens")
@role_required()
def tokens():
    """Every API token (never a secret) and the form to create one."""
    return _page(_form())


@bp.route("/tokens", methods=["POST"])
@role_required()
def create_token():
    """Create a token; its secret is on this page once and nowhere else."""
    form = _form()
    if not form.validate_on_submit():
        flash("The token was not created; see the form.", "error")
        return _page(form), 400
    try:
        token, secret = token_service.create_token(
            form.name.data, form.scopes.data or [], current_user, staff_email=form.staff.data or None,
            integration_role=form.integration_role.data or None, days=form.days.data)
    except VocappError as error:
        flash(str(error), "error")
        return _page(form), 400
    return _page(_form(), secret=secret, created=token)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@role_required()
def revoke_token(token_id: int):
    """Revoke a token at once."""
    if not RevokeForm().validate_on_submit():
        flash("The revocation was not sent from this page; try again.", "error")
        return redirect(url_for("api.tokens"))
    try:
        token = token_service.revoke_token(token_id, current_user)
    except VocappError as error:
        flash(str(error), "error")
    else:
        flash(f"Token {token.id} ({token.name}) revoked.", "success")
    return redirect(url_for("api.tokens"))
