"""Exploratory clusters of heard accounts on scores and metrics (shown beside the rule-based zones).

k-means on standardised features; the number of clusters is the k in ``k_values`` with the highest
mean silhouette coefficient (ties go to the smaller k).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.impute import SimpleImputer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

METRIC_FEATURES = ["opportunity", "total_12m", "purchase_frequency", "breadth"]


def cluster_features(placements: pd.DataFrame, metrics: pd.DataFrame, constructs: list[str]) -> pd.DataFrame:
    """Feature table (index account_id) of heard accounts: construct scores and key metrics."""
    heard = placements[placements["heard"].astype(bool)].set_index("account_id")
    frame = heard[[c for c in constructs if c in heard.columns] + ["opportunity"]].copy()
    extra = metrics.reindex(frame.index)[[m for m in METRIC_FEATURES if m != "opportunity"]]
    frame = frame.join(extra)
    frame["total_12m"] = np.log1p(frame["total_12m"].clip(lower=0))  # spend is heavily skewed
    return frame


class ExploratoryClusters(ClusterMixin, BaseEstimator):
    """k-means with k chosen by silhouette. After ``fit``: ``labels_``, ``n_clusters_``,
    ``silhouette_scores_`` (k -> score), ``profiles_`` (feature means and size per cluster)."""

    def __init__(self, k_values=(2, 3, 4, 5, 6), random_state: int = 0, n_init: int = 10):
        self.k_values = k_values
        self.random_state = random_state
        self.n_init = n_init

    def fit(self, X: pd.DataFrame, y=None) -> "ExploratoryClusters":
        X = pd.DataFrame(X)
        values = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(X))
        candidates = [k for k in self.k_values if 2 <= k < len(X)]
        if not candidates:
            raise ValueError(f"need more than {min(self.k_values)} accounts to cluster (got {len(X)})")
        self.silhouette_scores_ = {}
        best = None
        for k in candidates:
            with threadpool_limits(1):  # small data: threads only add contention on a shared machine
                model = KMeans(n_clusters=k, n_init=self.n_init, random_state=self.random_state).fit(values)
            score = float(silhouette_score(values, model.labels_)) if len(set(model.labels_)) > 1 else -1.0
            self.silhouette_scores_[k] = round(score, 4)
            if best is None or score > best[0] + 1e-9:
                best = (score, k, model)
        _, self.n_clusters_, self.model_ = best
        self.labels_ = pd.Series(self.model_.labels_ + 1, index=X.index, name="cluster")
        profiles = X.groupby(self.labels_).mean()
        profiles.insert(0, "accounts", self.labels_.value_counts().sort_index())
        self.profiles_ = profiles
        return self
