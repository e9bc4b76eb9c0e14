"""Pure rules of invitation campaigns: audience, frequency and reminder policy, e-mail text, DSNs."""
from vocapp.core.campaigns.audience import (AudienceError, Reach, ALWAYS_LEFT_OUT, LEFT_OUT_REASONS, clean_filters,
                                            select_audience)
from vocapp.core.campaigns.policy import (LifecycleError, ReminderPolicy, check_transition, frequency_held,
                                          invitation_expiry, reminder_due)

__all__ = ["ALWAYS_LEFT_OUT", "AudienceError", "LEFT_OUT_REASONS", "LifecycleError", "Reach", "ReminderPolicy",
           "check_transition", "clean_filters", "frequency_held", "invitation_expiry", "reminder_due",
           "select_audience"]
