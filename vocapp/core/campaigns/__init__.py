"""Pure rules of invitation campaigns: audience, frequency and reminder policy, e-mail text, DSNs.

Names load on first use (lazy_loader), so the e-mail wording does not import pandas with it.
"""
import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(__name__, submod_attrs={
    "audience": ["ALWAYS_LEFT_OUT", "AudienceError", "LEFT_OUT_REASONS", "Reach", "clean_filters", "select_audience"],
    "policy": ["LifecycleError", "ReminderPolicy", "check_transition", "frequency_held", "invitation_expiry",
               "reminder_due"],
})
