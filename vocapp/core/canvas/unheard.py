"""Estimated readiness for accounts not yet heard, learned from heard accounts' behaviour.

The estimate is gradient-boosted trees on the transaction metrics, trained on heard accounts (whose
readiness comes from their answers), with its 5-fold cross-validated R^2 and the accuracy of the
implied side of the readiness cut reported. Estimates are always labelled as such and are never used
for the leave-alone flag (a guess from spending must not silence anyone).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_val_predict
from threadpoolctl import threadpool_limits

from .definition import CanvasDefinition

FEATURES = ["opportunity", "membership_fees_12m", "commercial_12m", "total_12m", "purchase_frequency",
            "recency_days", "breadth", "growth", "commercial_share"]
MIN_TRAINING_ACCOUNTS = 20


class ReadinessEstimator(RegressorMixin, BaseEstimator):
    """Gradient-boosted regression of readiness (0-100) on behaviour, with cross-validated quality.

    Missing metrics (e.g. recency with no purchase) are handled natively by the trees.

    After ``fit``: ``model_``, ``cv_r2_`` (out-of-fold R^2), ``cv_side_accuracy_`` (share of accounts
    whose out-of-fold estimate falls on the same side of ``cut`` as their measured readiness),
    ``n_train_`` and ``feature_names_``.
    """

    def __init__(self, cut: float = 50.0, max_iter: int = 100, max_depth: int = 3, folds: int = 5,
                 random_state: int = 0):
        self.cut = cut
        self.max_iter = max_iter
        self.max_depth = max_depth
        self.folds = folds
        self.random_state = random_state

    def _pipeline(self):
        return HistGradientBoostingRegressor(max_iter=self.max_iter, max_depth=self.max_depth, learning_rate=0.05,
                                             min_samples_leaf=10, early_stopping=False,
                                             random_state=self.random_state)

    def fit(self, X: pd.DataFrame, y: pd.Series) -> "ReadinessEstimator":
        X = pd.DataFrame(X)
        y = np.asarray(y, dtype=float)
        folds = KFold(n_splits=min(self.folds, len(y)), shuffle=True, random_state=self.random_state)
        with threadpool_limits(1):  # small fits: threads only add contention on a shared machine
            out_of_fold = cross_val_predict(self._pipeline(), X, y, cv=folds)
            self.model_ = self._pipeline().fit(X, y)
        self.cv_r2_ = float(r2_score(y, out_of_fold))
        self.cv_side_accuracy_ = float(np.mean((out_of_fold >= self.cut) == (y >= self.cut)))
        self.n_train_ = int(len(y))
        self.feature_names_ = list(X.columns)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        with threadpool_limits(1):
            return np.clip(self.model_.predict(pd.DataFrame(X)[self.feature_names_]), 0, 100)


@dataclass
class UnheardEstimates:
    """Estimates per unheard account and a report of the model's cross-validated quality."""

    estimates: pd.DataFrame  # account_id, estimated_readiness, estimated_zone
    report: dict = field(default_factory=dict)


def estimate_unheard(placements: pd.DataFrame, metrics: pd.DataFrame, definition: CanvasDefinition,
                     random_state: int = 0) -> UnheardEstimates:
    """Estimate readiness (and the zone it would imply) for every unheard account in ``placements``."""
    features = metrics.reindex(placements["account_id"].astype(str)).assign(
        opportunity=placements["opportunity"].to_numpy())[FEATURES]
    heard = placements["heard"].to_numpy(dtype=bool)
    empty = pd.DataFrame({"account_id": pd.Series(dtype=str), "estimated_readiness": pd.Series(dtype=float),
                          "estimated_zone": pd.Series(dtype=str)})
    if heard.sum() < MIN_TRAINING_ACCOUNTS:
        return UnheardEstimates(empty, {"n_train": int(heard.sum()), "message":
                                        f"too few heard accounts to learn from (need {MIN_TRAINING_ACCOUNTS})"})
    if heard.all():
        return UnheardEstimates(empty, {"n_train": int(heard.sum()), "message": "every account has been heard"})
    model = ReadinessEstimator(cut=definition.readiness_cut, random_state=random_state)
    model.fit(features[heard], placements.loc[heard, "readiness"])
    unheard = placements.loc[~heard]
    readiness = model.predict(features[~heard])
    x_side = np.where(unheard["opportunity"] >= definition.opportunity_cut, "high", "low")
    y_side = np.where(readiness >= definition.readiness_cut, "high", "low")
    zones = [definition.zone_for(x, y).name for x, y in zip(x_side, y_side)]
    estimates = pd.DataFrame({"account_id": unheard["account_id"].to_numpy(),
                              "estimated_readiness": readiness.round(1), "estimated_zone": zones})
    report = {"n_train": model.n_train_, "cv_r2": round(model.cv_r2_, 3),
              "cv_side_accuracy": round(model.cv_side_accuracy_, 3), "folds": model.folds,
              "model": "gradient-boosted trees on transaction metrics", "message": ""}
    return UnheardEstimates(estimates, report)
