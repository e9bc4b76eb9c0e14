"""Rules about accounts and their contacts, on DataFrames: an account's relationship derived from its
contacts', and each contact's latest response."""
from __future__ import annotations

import numpy as np
import pandas as pd

from vocapp.core.constants import RELATIONSHIPS

MEMBER, CUSTOMER, BOTH = RELATIONSHIPS


def account_relationships(contacts: pd.DataFrame) -> pd.Series:
    """Per account (index: ``account_id``), ``both`` when its contacts include a member and a customer
    relationship (or a ``both``), else ``member`` or ``customer``; ``contacts`` has ``account_id`` and
    ``relationship`` columns. Accounts without contacts are absent."""
    kinds = contacts["relationship"]
    has = pd.DataFrame({"account_id": contacts["account_id"], MEMBER: kinds.isin([MEMBER, BOTH]),
                        CUSTOMER: kinds.isin([CUSTOMER, BOTH])}).groupby("account_id")[[MEMBER, CUSTOMER]].any()
    derived = np.select([has[MEMBER] & has[CUSTOMER], has[MEMBER], has[CUSTOMER]], [BOTH, MEMBER, CUSTOMER], "")
    return pd.Series(derived, index=has.index, dtype=object, name="relationship")


def latest_per_contact(responses: pd.DataFrame) -> pd.DataFrame:
    """Each contact's latest response: the row with the greatest (``submitted_at``, ``id``) per
    ``contact_id`` (ties on the timestamp go to the later id); rows without a contact are dropped."""
    ordered = responses.dropna(subset=["contact_id"]).sort_values(["submitted_at", "id"], kind="stable")
    return ordered.drop_duplicates("contact_id", keep="last").sort_index()
