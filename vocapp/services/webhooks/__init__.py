"""Webhooks: endpoints, the event outbox, signed deliveries with retries, and the address guard.

See docs/webhooks.md (events, payloads, headers, retries, address rules) and docs/security.md.
"""
from vocapp.services.webhooks.addresses import AddressRefused, check_url
from vocapp.services.webhooks.endpoints import (WebhookError, create_endpoint, get_endpoint, list_endpoints,
                                                pending_counts, rotate_secret, set_allow_private, set_enabled)
from vocapp.services.webhooks.housekeeping import forget_address, prune_events
from vocapp.services.webhooks.outbox import record_event, record_events, retry_schedule, set_dispatcher
from vocapp.services.webhooks.queries import delivery_detail, recent_deliveries
from vocapp.services.webhooks.sender import TEST_EVENT_TYPE, replay, send_due, send_test_event

__all__ = ["AddressRefused", "TEST_EVENT_TYPE", "WebhookError", "check_url", "create_endpoint", "delivery_detail",
           "forget_address", "get_endpoint", "list_endpoints", "pending_counts", "prune_events", "recent_deliveries",
           "record_event", "record_events", "replay", "retry_schedule", "rotate_secret", "send_due", "send_test_event",
           "set_allow_private", "set_dispatcher", "set_enabled"]
