"""Transaction category -> kind mapping (membership_fee | commercial_service | ignore).

Categories are matched case-insensitively after trimming. A category that is not in the mapping is
never guessed: it gets kind ``unmapped``, is left out of every metric, and is reported by
:func:`unmapped_categories` so staff can add it to the canvas definition.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

UNMAPPED = "unmapped"


def normalise_category(values: pd.Series) -> pd.Series:
    """Lower-case, trimmed category labels (missing stays missing)."""
    return values.astype("string").str.strip().str.lower()


def classify_categories(transactions: pd.DataFrame, mapping: Mapping[str, str]) -> pd.Series:
    """Kind of every transaction row (same index), ``unmapped`` when the category is not mapped."""
    lookup = {str(k).strip().lower(): v for k, v in mapping.items()}
    kinds = normalise_category(transactions["category"]).map(lookup)
    return kinds.fillna(UNMAPPED).astype(str)


def unmapped_categories(transactions: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    """Report categories missing from the mapping: category, n_transactions, amount (sorted by count)."""
    kinds = classify_categories(transactions, mapping)
    rows = transactions.loc[kinds == UNMAPPED]
    if rows.empty:
        return pd.DataFrame({"category": pd.Series(dtype=str), "n_transactions": pd.Series(dtype=int),
                             "amount": pd.Series(dtype=float)})
    labels = rows["category"].astype("string").str.strip().fillna("(blank)")
    report = (pd.DataFrame({"category": labels, "amount": pd.to_numeric(rows["amount"], errors="coerce")})
              .groupby("category", as_index=False)
              .agg(n_transactions=("amount", "size"), amount=("amount", "sum")))
    return report.sort_values(["n_transactions", "category"], ascending=[False, True], ignore_index=True)
