"""Campaign audiences: the contact table the rules read (one query per table), reach, creation."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from vocapp.core.campaigns import Reach, check_transition, clean_filters, select_audience
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import Account, Campaign, Contact, Response, StaffUser, SurveyVersion
from vocapp.services.canvas_queries import latest_placement_run, leave_alone_accounts, placement_zones
from vocapp.services.staff import record_action
from vocapp.services.surveys import get_version


class CampaignError(VocappError):
    """A campaign action that cannot be done; the message says why."""


def get_campaign(campaign_id: int) -> Campaign:
    """The campaign, or CampaignError."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError(f"no campaign with id {campaign_id}")
    return campaign


def list_campaigns() -> list[Campaign]:
    """Every campaign, newest first."""
    return list(db.session.scalars(select(Campaign).order_by(Campaign.id.desc())))


def contacts_frame(survey_id: int) -> pd.DataFrame:
    """Every contact with what the audience rules read (vocapp.core.campaigns.audience.CONTACT_COLUMNS)
    and the personalisation fields: first_name, last_name, account_pk, organisation."""
    rows = db.session.execute(
        select(Contact.id, Contact.email, Contact.relationship, Contact.role, Contact.language,
               Contact.erased_at.is_not(None), Contact.unsubscribed_at.is_not(None), Contact.bounced_at.is_not(None),
               Contact.complained_at.is_not(None), Contact.attributes, Account.attributes, Contact.first_name,
               Contact.last_name, Contact.account_id, Account.name)
        .join(Account, Account.id == Contact.account_id)).all()
    frame = pd.DataFrame(rows, columns=["contact_id", "email", "relationship", "role", "language", "erased",
                                        "unsubscribed", "bounced", "complained", "contact_attributes",
                                        "account_attributes", "first_name", "last_name", "account_pk",
                                        "organisation"])
    run = latest_placement_run()
    zones = placement_zones(run) if run is not None else pd.Series(dtype=object)
    frame["zone"] = frame["account_pk"].map(zones)
    frame["leave_alone"] = frame["account_pk"].isin(list(leave_alone_accounts()))
    answered = db.session.execute(
        select(Response.contact_id, func.max(Response.submitted_at))
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey_id, Response.status == "complete", Response.contact_id.is_not(None))
        .group_by(Response.contact_id)).all()
    frame["last_completed_at"] = frame["contact_id"].map(dict(answered))
    return frame


def reach(version: SurveyVersion, filters: dict, include_leave_alone: bool = False) -> Reach:
    """Who a campaign with these filters would reach now, and who is left out by which reason."""
    return select_audience(contacts_frame(version.survey_id), filters, include_leave_alone)


def _utc_date(value: dt.date | None, field: str) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.combine(value, dt.time(23, 59, 59), dt.timezone.utc) if field == "closes" else \
        dt.datetime.combine(value, dt.time(), dt.timezone.utc)


def create_campaign(survey_slug: str, name: str, version_number: int | None = None, filters: dict | None = None,
                    closes: dt.date | None = None, opens: dt.datetime | dt.date | None = None,
                    max_reminders: int = 2, reminder_days: int = 7, include_leave_alone: bool = False,
                    reason: str | None = None, staff: StaffUser | None = None,
                    now: dt.datetime | None = None) -> tuple[Campaign, Reach]:
    """Create a draft campaign pinned to a published survey version; returns it and its reach.

    Including leave-alone accounts needs a written ``reason``, kept on the campaign and in the audit log.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    name = (name or "").strip()
    if not name:
        raise CampaignError("a campaign needs a name")
    if max_reminders < 0 or reminder_days < 0:
        raise CampaignError("--max-reminders and --reminder-days cannot be negative")
    reason = (reason or "").strip() or None
    if include_leave_alone and not reason:
        raise CampaignError("including leave-alone accounts needs a written reason (--reason)")
    if reason and not include_leave_alone:
        raise CampaignError("--reason explains --include-leave-alone; give both or neither")
    version = get_version(survey_slug, version_number)
    filters = clean_filters(filters or {})
    closes_at, opens_at = _utc_date(closes, "closes"), _utc_date(opens, "opens")
    if closes_at is not None and closes_at <= now:
        raise CampaignError(f"the closing date {closes_at.date()} is not in the future")
    if opens_at is not None and closes_at is not None and opens_at >= closes_at:
        raise CampaignError("the campaign would open after it closes")
    audience = reach(version, filters, include_leave_alone)
    campaign = Campaign(survey_version_id=version.id, name=name[:200], audience=filters, closes_at=closes_at,
                        opens_at=opens_at, max_reminders=max_reminders, reminder_interval_days=reminder_days,
                        exclude_leave_alone=not include_leave_alone, leave_alone_reason=reason,
                        created_by_id=staff.id if staff else None, status="draft")
    db.session.add(campaign)
    db.session.flush()
    record_action(staff, "campaign.create", "campaign", campaign.id,
                  {"survey": survey_slug, "version": version.number, "audience": filters, **audience.summary()})
    if include_leave_alone:
        record_action(staff, "campaign.include_leave_alone", "campaign", campaign.id,
                      {"reason": reason, "leave_alone_contacts": int(audience.included["leave_alone"].sum())})
    db.session.commit()
    return campaign, audience


def update_message(campaign: Campaign, staff: StaffUser | None, **texts: str) -> None:
    """Change the campaign's e-mail subject/body and reminder subject/body (before it is sent)."""
    check_transition(campaign.status, "edit")
    allowed = {"email_subject": 300, "email_body": 20000, "reminder_subject": 300, "reminder_body": 20000}
    for field, value in texts.items():
        if field not in allowed:
            raise CampaignError(f"unknown message field {field}")
        value = (value or "").replace("\r\n", "\n")
        if len(value) > allowed[field]:
            raise CampaignError(f"{field.replace('_', ' ')}: at most {allowed[field]} characters")
        setattr(campaign, field, value)
    record_action(staff, "campaign.message", "campaign", campaign.id, {"fields": sorted(texts)})
    db.session.commit()
