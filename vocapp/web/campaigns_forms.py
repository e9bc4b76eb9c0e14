"""Forms of the campaign pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, IntegerField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from vocapp.core.campaigns.messages import PLACEHOLDERS
from vocapp.models import RELATIONSHIPS


def _audience():
    from vocapp.core.campaigns import audience

    return audience

PLACEHOLDER_HINT = "Placeholders: " + ", ".join("{" + name + "}" for name in PLACEHOLDERS) + \
    ". Leave empty for the default wording in each contact's language."


class CreateCampaignForm(FlaskForm):
    name = StringField("Campaign name", validators=[DataRequired(), Length(max=200)])
    survey = SelectField("Survey", validators=[DataRequired()])
    version = IntegerField("Version (empty: the latest)", validators=[Optional(), NumberRange(min=1)])
    relationship = SelectMultipleField("Relationship", choices=[SelectChoice(r, r) for r in RELATIONSHIPS],
                                       validators=[Optional()])
    role = StringField("Roles (comma-separated; empty: every role)", validators=[Optional(), Length(max=500)])
    zone = SelectMultipleField("Canvas zones", validators=[Optional()])
    contact_attributes = StringField("Contact attributes (name=value, comma-separated)",
                                     validators=[Optional(), Length(max=1000)])
    account_attributes = StringField("Account attributes (name=value, comma-separated)",
                                     validators=[Optional(), Length(max=1000)])
    not_answered_since = DateField("Leave out contacts who answered this survey on or after",
                                   validators=[Optional()])
    opens = DateTimeLocalField("Start sending at (UTC; empty: when you press Send)", format="%Y-%m-%dT%H:%M",
                               validators=[Optional()])
    closes = DateField("Closing date", validators=[Optional()])
    max_reminders = IntegerField("Maximum reminders", default=2, validators=[NumberRange(min=0, max=10)])
    reminder_days = IntegerField("Days between e-mails", default=7, validators=[NumberRange(min=0, max=365)])
    include_leave_alone = BooleanField("Include accounts flagged leave-alone on the canvas")
    reason = TextAreaField("Why include them (required; kept in the audit log)",
                           validators=[Optional(), Length(max=2000)])

    def filters(self) -> dict:
        """The audience filters the form describes."""
        roles = [r.strip() for r in (self.role.data or "").split(",") if r.strip()]
        since = self.not_answered_since.data
        return {"relationship": self.relationship.data or [], "role": roles, "zone": self.zone.data or [],
                "contact_attributes": _pairs(self.contact_attributes.data, "contact attributes"),
                "account_attributes": _pairs(self.account_attributes.data, "account attributes"),
                "not_answered_since": since.isoformat() if since else None}


def _pairs(text: str | None, what: str) -> dict[str, list[str]]:
    return _audience().parse_attribute_pairs([p for p in (text or "").split(",") if p.strip()], what)


class MessageForm(FlaskForm):
    email_subject = StringField("Invitation subject", validators=[Optional(), Length(max=300)])
    email_body = TextAreaField("Invitation text", validators=[Optional(), Length(max=20000)])
    reminder_subject = StringField("Reminder subject", validators=[Optional(), Length(max=300)])
    reminder_body = TextAreaField("Reminder text", validators=[Optional(), Length(max=20000)])


class ActionForm(FlaskForm):
    """A button that posts (send, remind, close): CSRF only."""
