"""ConstructScorer: fit an exploratory factor model aligned to the declared constructs."""
from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits
from sklearn.base import BaseEstimator

from .alignment import align_factors
from .cfa import fit_cfa
from .diagnostics import check_fit_data, check_singular, diagnose
from .efa import fit_efa, validate_options
from .errors import KeyMismatchError
from .frozen import MODEL_FORMAT, FrozenModel
from .key import ItemKey
from .polychoric import polychoric_correlations
from .reliability import construct_reliability

from vocapp.core.constants import CORRELATIONS  # noqa: E402 (one definition, light to import)

PRIMARY_MIN = 0.40
CROSS_MAX = 0.30


def _rotation(value: str | None) -> str | None:
    return None if value in (None, "", "none") else value


def misfit_items(loadings: pd.DataFrame, key: ItemKey) -> list[dict]:
    """Items loading below 0.40 on their construct or above 0.30 (absolute) on another factor."""
    found = []
    for item in key.items:
        own = key.construct[item]
        row = loadings.loc[item]
        own_loading = float(row[own]) if own in row.index else float("nan")
        if not own_loading >= PRIMARY_MIN:
            found.append({"item": item, "construct": own, "factor": own, "loading": own_loading,
                          "issue": f"loads {own_loading:.2f} on {own} (below {PRIMARY_MIN:.2f})"})
        for other, value in row.items():
            if other != own and abs(value) > CROSS_MAX:
                found.append({"item": item, "construct": own, "factor": str(other),
                              "loading": float(value),
                              "issue": f"cross-loads {value:.2f} on {other} (above {CROSS_MAX:.2f})"})
    return found


class ConstructScorer(BaseEstimator):
    """EFA scoring model aligned to a declared item key (scikit-learn estimator: get_params, clone).

    After ``fit``: ``diagnostics_``, ``loadings_`` (items x factors, named by construct),
    ``factor_correlations_``, ``congruence_`` (Tucker congruence of each construct's factor with the
    key), ``item_assignment_`` (factor with the largest absolute loading per item), ``misfit_items_``,
    ``reliability_``, ``fit_indices_`` (CFA of the declared key) and ``model_`` (frozen,
    JSON-serialisable).
    """

    def __init__(self, n_factors: int | None = None, method: str = "minres",
                 rotation: str | None = "oblimin", n_parallel: int = 20, random_state: int | None = 0,
                 correlations: str = "pearson"):
        self.correlations = correlations
        self.n_factors = n_factors
        self.method = method
        self.rotation = rotation
        self.n_parallel = n_parallel
        self.random_state = random_state

    def fit(self, matrix: pd.DataFrame, key: ItemKey) -> "ConstructScorer":
        """Fit on a reverse-keyed response matrix (pass only the responses to learn from).

        The factor model and the CFA use pairwise-complete item correlations, so a few missing answers
        do not discard a response; raises a ``ScoringDataError`` subclass with a readable message when
        the data cannot support a model.
        """
        rotation = _rotation(self.rotation)
        validate_options(self.method, rotation)
        missing = [i for i in key.items if i not in matrix.columns]
        if missing:
            raise KeyMismatchError(f"the response matrix has no column for item(s): {', '.join(missing)}")
        valid = matrix.loc[:, list(key.items)].astype(float)
        if self.correlations not in CORRELATIONS:
            raise ValueError(f"unknown correlations {self.correlations!r}; "
                             f"choose one of {', '.join(CORRELATIONS)}")
        corr, eigenvalues, n_pairwise = check_fit_data(valid)
        if self.correlations == "polychoric":  # the same checks passed; the model uses the ordinal matrix
            corr = polychoric_correlations(valid)[0]
            eigenvalues = check_singular(corr)
        constructs = key.constructs
        n_factors = self.n_factors or len(constructs)
        if not 1 <= n_factors < len(key.items):
            raise ValueError(f"n_factors must be between 1 and {len(key.items) - 1}, got {n_factors}")
        counts = {"n_rows": int(len(valid)), "n_complete": int(valid.notna().all(axis=1).sum()),
                  "n_pairwise_min": int(n_pairwise)}
        # the analysis below works on p x p matrices (and L-BFGS-B): BLAS threads only contend there
        with threadpool_limits(limits=1, user_api="blas"):
            self.diagnostics_ = diagnose(corr, eigenvalues, counts, len(constructs), self.n_parallel,
                                         self.random_state)
            self.diagnostics_["n_factors"] = int(n_factors)
            self.diagnostics_["correlations"] = self.correlations
            n = counts["n_rows"]

            solution = fit_efa(corr, n_factors, self.method, rotation)
            alignment = align_factors(solution.loadings, key)
            order = alignment.order(constructs)
            signs = alignment.sign[order]
            loadings = solution.loadings[:, order] * signs
            phi = solution.phi[np.ix_(order, order)] * np.outer(signs, signs)
            scored = [c for c in constructs if alignment.factor_of[c] is not None]
            names = scored + [f"factor_{j + 1}" for j in range(len(alignment.extra))]
            self.loadings_ = pd.DataFrame(loadings, index=list(key.items), columns=names)
            self.factor_correlations_ = pd.DataFrame(phi, index=names, columns=names)
            self.congruence_ = dict(alignment.congruence)
            self.item_assignment_ = self.loadings_.abs().idxmax(axis=1)
            self.misfit_items_ = misfit_items(self.loadings_, key)
            self.reliability_ = self._reliability(valid, corr, key)
            own = {i: self.loadings_.at[i, key.construct[i]] for i in key.items
                   if key.construct[i] in self.loadings_.columns}
            self.fit_indices_ = fit_cfa(corr, n, key, start=own)  # the EFA's loadings: fewer CFA steps
        self.model_ = self._freeze(valid, corr, key, scored, rotation, solution.rotation_matrix)
        self.diagnostics_["unscored_constructs"] = [c for c in constructs if c not in scored]
        return self

    def _reliability(self, valid: pd.DataFrame, corr: pd.DataFrame, key: ItemKey) -> pd.DataFrame:
        rows = {c: construct_reliability(valid[key.items_of(c)], corr.loc[key.items_of(c), key.items_of(c)])
                for c in key.constructs}
        return pd.DataFrame.from_dict(rows, orient="index")

    def _freeze(self, data: pd.DataFrame, corr: pd.DataFrame, key: ItemKey, scored: list[str],
                rotation: str | None, rotation_matrix: np.ndarray | None) -> dict:
        items = list(key.items)
        means = data.mean().to_numpy()
        sds = data.std(ddof=0).to_numpy()
        structure = self.loadings_[scored].to_numpy() @ self.factor_correlations_.loc[scored, scored].to_numpy()
        weights = np.linalg.solve(corr.to_numpy(), structure)
        # the same arithmetic as FrozenModel.transform (missing answer = item mean), on the fitting rows
        fit_scores = np.nan_to_num((data.to_numpy() - means) / sds, nan=0.0) @ weights
        scale_weights = {}
        for c in key.constructs:
            own = key.items_of(c)
            w = {i: max(float(self.loadings_.at[i, c]), 0.0) for i in own} if c in scored else {}
            if not any(v > 0 for v in w.values()):
                w = {i: 1.0 for i in own}
            scale_weights[c] = w
        return {
            "format": MODEL_FORMAT,
            "method": self.method,
            "correlations": self.correlations,
            "rotation": rotation,
            "n_factors": int(self.loadings_.shape[1]),
            "n_fit": int(self.diagnostics_["n"]),
            "constructs": key.constructs,
            "key": key.to_records(),
            "item_means": {i: float(v) for i, v in zip(items, means)},
            "item_sds": {i: float(v) for i, v in zip(items, sds)},
            "loadings": {i: {f: float(v) for f, v in self.loadings_.loc[i].items()} for i in items},
            "factor_correlations": self.factor_correlations_.to_numpy().tolist(),
            "factor_names": list(self.loadings_.columns),
            "rotation_matrix": None if rotation_matrix is None else rotation_matrix.tolist(),
            "score_weights": {c: {i: float(weights[r, j]) for r, i in enumerate(items)}
                              for j, c in enumerate(scored)},
            "score_means": {c: float(fit_scores[:, j].mean()) for j, c in enumerate(scored)},
            "score_sds": {c: float(fit_scores[:, j].std(ddof=0)) for j, c in enumerate(scored)},
            "scale_weights": scale_weights,
        }

    def transform(self, matrix: pd.DataFrame) -> pd.DataFrame:
        """Scores per response: ``<construct>`` (0-100) and ``<construct>_z``; same as the frozen model."""
        if not hasattr(self, "model_"):
            raise RuntimeError("ConstructScorer is not fitted yet; call fit(matrix, key) first")
        return FrozenModel.from_dict(self.model_).transform(matrix)
