"""Names shared by every layer, defined once: relationship kinds, staff roles, contact roles, response
statuses, factoring methods and the questionnaire items that rules depend on.

Pure Python with no imports, so the command line can read it without loading pandas or SQLAlchemy.
"""
from __future__ import annotations

#: how an account (or a contact) relates to the organisation
RELATIONSHIPS = ("member", "customer", "both")
#: staff roles: admin may do everything; designer edits surveys and campaigns; analyst reads scores,
#: canvas and exports
STAFF_ROLES = ("admin", "designer", "analyst")
#: a contact's role at their account (weights in account scores, see core/scoring/accounts.py)
CONTACT_ROLES = ("decision_maker", "influencer", "user")
#: a response is partial until the respondent submits it
RESPONSE_STATUSES = ("partial", "complete")
#: factoring methods of a new scoring model (factor_analyzer's names)
FACTOR_METHODS = ("minres", "ml", "principal")

#: the questionnaire item where a contact states how they want to be contacted ...
CONTACT_PREFERENCE_ITEM = "contact_preference"
#: ... and its answer meaning "essential communication only" (one of the leave-alone reasons)
ESSENTIAL_ONLY = "essential_only"
#: what `vocapp export` writes, and in which formats (vocapp.core.exports)
EXPORT_KINDS = ("accounts", "contacts", "responses", "codebook")
EXPORT_FORMATS = ("csv", "xlsx", "sav", "parquet", "json")
#: correlation matrices the factor analysis can be run on (``vocapp score --correlations``)
CORRELATIONS = ("pearson", "polychoric")
