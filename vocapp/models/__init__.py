"""vocapp's data model: one module per area, all imported here so Alembic sees every table."""
from vocapp.models.accounts import RELATIONSHIPS, Account, Contact
from vocapp.models.api import API_SCOPES, ApiToken
from vocapp.models.base import Base, utcnow
from vocapp.models.campaigns import Campaign, Delivery, Invitation, InvitationToken
from vocapp.models.canvas import CanvasDefinitionVersion, Placement, PlacementRun
from vocapp.models.imports import ImportRun
from vocapp.models.jobs import JOB_STATUSES, Job, Lock
from vocapp.models.responses import Response
from vocapp.models.scoring import AccountScore, ContactScore, ScoringRun
from vocapp.models.staff import STAFF_ROLES, AuditEntry, StaffSession, StaffUser
from vocapp.models.surveys import Survey, SurveyVersion
from vocapp.models.transactions import Transaction
from vocapp.models.webhooks import (WEBHOOK_EVENT_TYPES, WebhookAttempt, WebhookDelivery, WebhookEndpoint,
                                    WebhookEvent)

__all__ = [
    "API_SCOPES", "JOB_STATUSES", "RELATIONSHIPS", "STAFF_ROLES", "Account", "AccountScore", "ApiToken", "AuditEntry", "Base", "Campaign",
    "CanvasDefinitionVersion", "Contact", "ContactScore", "Delivery", "ImportRun", "Invitation", "InvitationToken",
    "Job", "Lock", "Placement", "PlacementRun", "Response", "ScoringRun", "StaffSession", "StaffUser", "Survey",
    "SurveyVersion", "Transaction", "WEBHOOK_EVENT_TYPES", "WebhookAttempt", "WebhookDelivery",
    "WebhookEndpoint", "WebhookEvent", "utcnow",
]
