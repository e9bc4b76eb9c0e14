"""Opportunity score 0-100: weighted mean of each metric's percentile rank within the base."""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

# Metrics where a smaller value means more opportunity.
LOWER_IS_BETTER = {"recency_days"}


def metric_percentiles(metrics: pd.DataFrame, names) -> pd.DataFrame:
    """Percentile rank (0-1, ties averaged) of each metric; missing values rank lowest (0)."""
    ranks = {}
    for name in names:
        values = metrics[name].astype(float)
        if name in LOWER_IS_BETTER:
            values = -values
        ranks[name] = values.rank(pct=True, method="average").fillna(0.0)
    return pd.DataFrame(ranks, index=metrics.index)


def opportunity_scores(metrics: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Opportunity 0-100 per account (index as ``metrics``).

    Each weighted metric is turned into its percentile rank within the base (missing = lowest), and
    the ranks are averaged with the given relative weights. A metric that is missing for every
    account (e.g. headroom when no size attribute exists) is dropped and the weights renormalised.
    """
    unknown = sorted(set(weights) - set(metrics.columns))
    if unknown:
        raise ValueError(f"opportunity weights name unknown metrics: {', '.join(unknown)}")
    usable = {k: float(w) for k, w in weights.items() if w > 0 and metrics[k].notna().any()}
    if not usable or metrics.empty:
        return pd.Series(0.0, index=metrics.index, name="opportunity")
    ranks = metric_percentiles(metrics, usable)
    weight = pd.Series(usable)
    score = ranks[weight.index].mul(weight, axis=1).sum(axis=1) / weight.sum()
    return (100 * score).round(2).rename("opportunity")
