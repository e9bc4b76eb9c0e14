"""Invitation campaigns: audience and creation, sending and reminders (at most once per step),
unconfirmed e-mails and their resend, revocation, closing (re-score, re-place), unsubscribe,
suppression and bounces, progress."""
from vocapp.services.campaigns.audience import (CampaignError, contacts_frame, create_campaign, get_campaign,
                                                list_campaigns, reach, update_message)
from vocapp.services.campaigns.lifecycle import (close_campaign, due_work, find_invitation,
                                                 revoke_invitation, run_closing)
from vocapp.services.campaigns.deliveries import resolve_in_doubt
from vocapp.services.campaigns.sending import preview_message, remind_campaign, send_campaign, send_test_message
from vocapp.services.campaigns.resend import resend_unconfirmed, unconfirmed_emails
from vocapp.services.campaigns.status import campaign_audit, campaign_status, held_back, list_rows, survey_of
from vocapp.services.campaigns.suppress import read_bounces, suppress_addresses, unsubscribe

__all__ = ["CampaignError", "campaign_audit", "campaign_status", "close_campaign", "contacts_frame",
           "create_campaign", "due_work", "find_invitation", "get_campaign", "held_back", "list_campaigns",
           "list_rows", "preview_message", "reach", "read_bounces", "remind_campaign", "resend_unconfirmed",
           "resolve_in_doubt", "revoke_invitation", "run_closing", "send_campaign", "send_test_message",
           "suppress_addresses", "survey_of", "unconfirmed_emails", "unsubscribe", "update_message"]
