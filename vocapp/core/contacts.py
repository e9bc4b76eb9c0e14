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


def latest_per_contact(responses: pd.DataFrame, tiebreak: str = "id") -> pd.DataFrame:
    """Each contact's latest response: per ``contact_id`` the row with the greatest (``submitted_at``,
    ``tiebreak``), a missing time counting as the oldest; rows without a contact (anonymous or imported
    responses) are each their own respondent and all kept. Rows stay in their original order."""
    ordered = responses.sort_values(["submitted_at", tiebreak], kind="stable", na_position="first")
    known = ordered["contact_id"].notna()
    latest = ordered[known].drop_duplicates("contact_id", keep="last")
    return pd.concat([latest, ordered[~known]]).sort_index()
