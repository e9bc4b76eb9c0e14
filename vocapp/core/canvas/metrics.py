"""Per-account transaction metrics (pure pandas, vectorised groupby).

Windows are relative to ``as_of``: the trailing 12 months are (as_of - 12 months, as_of], the prior 12
months the year before that. Transactions after ``as_of`` are ignored.

* Refunds are negative amounts; they net out of every sum in the window they fall in.
* Duplicates: when a ``reference`` column is present, rows repeating an (account_id, reference) pair
  already seen are dropped before anything is counted, so passing duplicates never double counts.
  Rows without a reference are all kept (two identical purchases on one day can be real).
* Categories outside the mapping are left out (see categories.unmapped_categories for the report);
  kind ``ignore`` rows are left out on purpose.
* Every account in ``transactions`` or ``accounts`` appears; one with nothing to count still appears: sums, frequency and breadth 0,
  growth 0, recency and commercial share NaN (there is nothing to measure).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .categories import classify_categories, normalise_category

FEE = "membership_fee"
COMMERCIAL = "commercial_service"
METRIC_COLUMNS = [
    "membership_fees_12m", "commercial_12m", "total_12m", "prior_12m", "purchase_frequency",
    "recency_days", "breadth", "growth", "commercial_share", "headroom",
]


def _prepare(transactions: pd.DataFrame, mapping: Mapping[str, str], as_of: pd.Timestamp) -> pd.DataFrame:
    tx = transactions.copy()
    tx["account_id"] = tx["account_id"].astype(str)
    if "reference" in tx.columns:
        ref = tx["reference"].astype("string").str.strip()
        has_ref = ref.notna() & (ref != "")
        repeated = has_ref & tx.assign(_ref=ref).duplicated(["account_id", "_ref"])
        tx = tx.loc[~repeated]
    tx = tx.assign(
        kind=classify_categories(tx, mapping),
        category_key=normalise_category(tx["category"]),
        date=pd.to_datetime(tx["date"]),
        amount=pd.to_numeric(tx["amount"], errors="coerce").fillna(0.0).astype(float),
    )
    return tx.loc[tx["kind"].isin([FEE, COMMERCIAL]) & (tx["date"] <= as_of)]


def symmetric_growth(current: pd.Series, prior: pd.Series) -> pd.Series:
    """(current - prior) / mean(|current|, |prior|): in [-2, 2], +2 for new spend, 0 when both are 0."""
    scale = (current.abs() + prior.abs()) / 2
    growth = (current - prior) / scale.where(scale > 0)
    return growth.fillna(0.0)


def headroom(total_12m: pd.Series, size: pd.Series) -> pd.Series:
    """Spend gap to the upper quartile of accounts of similar size (0 when at or above it; NaN without size).

    Numeric sizes are grouped into up to five quantile bands; text sizes (e.g. a revenue band) are
    used as the group directly.
    """
    numeric = pd.to_numeric(size, errors="coerce")
    if numeric.notna().sum() >= max(1, size.notna().sum() // 2) and numeric.notna().any():
        valid = numeric.dropna()
        bins = min(5, valid.nunique())
        groups = pd.qcut(numeric, q=bins, labels=False, duplicates="drop") if bins > 1 else numeric.where(
            numeric.isna(), 0)
    else:
        groups = size.astype("string").str.strip().replace("", pd.NA)
    benchmark = total_12m.groupby(groups).transform(lambda s: s.quantile(0.75))
    return (benchmark - total_12m).clip(lower=0).where(groups.notna())


def account_metrics(
    transactions: pd.DataFrame,
    mapping: Mapping[str, str],
    as_of=None,
    accounts: pd.DataFrame | None = None,
    size_attribute: str | None = None,
) -> pd.DataFrame:
    """Metrics per account (index account_id, columns METRIC_COLUMNS).

    ``transactions`` needs account_id, date, amount, category (reference optional). ``accounts``
    (optional, column account_id and the ``size_attribute`` column when given) adds accounts without
    transactions and the size used for headroom. ``as_of`` defaults to today.
    """
    as_of = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.today()).normalize()
    tx = _prepare(transactions, mapping, as_of)
    start_last = as_of - pd.DateOffset(months=12)
    start_prior = as_of - pd.DateOffset(months=24)
    in_last = tx["date"] > start_last
    in_prior = (tx["date"] > start_prior) & ~in_last
    positive = tx["amount"] > 0
    is_fee = tx["kind"] == FEE
    parts = pd.DataFrame({
        "account_id": tx["account_id"],
        "membership_fees_12m": tx["amount"].where(is_fee & in_last, 0.0),
        "commercial_12m": tx["amount"].where(~is_fee & in_last, 0.0),
        "prior_12m": tx["amount"].where(in_prior, 0.0),
        "purchase_frequency": (~is_fee & in_last & positive).astype(int),
        "last_date": tx["date"].where(positive),
        "breadth_category": tx["category_key"].where(in_last & positive),
    })
    grouped = parts.groupby("account_id")
    metrics = grouped.agg(
        membership_fees_12m=("membership_fees_12m", "sum"),
        commercial_12m=("commercial_12m", "sum"),
        prior_12m=("prior_12m", "sum"),
        purchase_frequency=("purchase_frequency", "sum"),
        last_date=("last_date", "max"),
        breadth=("breadth_category", "nunique"),
    )
    ids = pd.Index(transactions["account_id"].astype(str).unique())
    if accounts is not None:
        ids = ids.union(pd.Index(accounts["account_id"].astype(str).unique()))
    metrics = metrics.reindex(metrics.index.union(ids))
    zero_filled = ["membership_fees_12m", "commercial_12m", "prior_12m", "purchase_frequency", "breadth"]
    metrics[zero_filled] = metrics[zero_filled].fillna(0)
    metrics["purchase_frequency"] = metrics["purchase_frequency"].astype(int)
    metrics["breadth"] = metrics["breadth"].astype(int)
    metrics["total_12m"] = metrics["membership_fees_12m"] + metrics["commercial_12m"]
    metrics["recency_days"] = (as_of - metrics["last_date"]).dt.days.astype(float)
    metrics["growth"] = symmetric_growth(metrics["total_12m"], metrics["prior_12m"])
    total = metrics["total_12m"]
    metrics["commercial_share"] = (metrics["commercial_12m"].clip(lower=0) / total.where(total > 0)).clip(0, 1)
    metrics["headroom"] = np.nan
    if size_attribute and accounts is not None and size_attribute in accounts.columns:
        size = accounts.assign(account_id=accounts["account_id"].astype(str)).drop_duplicates("account_id")
        size = size.set_index("account_id")[size_attribute].reindex(metrics.index)
        metrics["headroom"] = headroom(metrics["total_12m"], size)
    metrics.index.name = "account_id"
    return metrics[METRIC_COLUMNS]
