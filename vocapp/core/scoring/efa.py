"""Exploratory factor extraction with factor_analyzer, rotated here so loadings and factor
correlations stay in the same order (factor_analyzer 0.5.1 re-sorts loadings but not ``phi_``)."""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from factor_analyzer import FactorAnalyzer
from factor_analyzer.rotator import OBLIQUE_ROTATIONS, POSSIBLE_ROTATIONS, Rotator
from scipy import optimize

from vocapp.core.constants import FACTOR_METHODS

METHODS = FACTOR_METHODS
MAX_COMMUNALITY = 0.995


@dataclass
class EfaSolution:
    """Rotated pattern loadings (items x factors), factor correlations and the rotation matrix."""

    loadings: np.ndarray
    phi: np.ndarray
    rotation_matrix: np.ndarray | None


def validate_options(method: str, rotation: str | None) -> None:
    """Raise ValueError with the allowed values when method or rotation is unknown."""
    if method not in METHODS:
        raise ValueError(f"unknown factoring method {method!r}; choose one of {', '.join(METHODS)}")
    if rotation is not None and rotation not in POSSIBLE_ROTATIONS:
        raise ValueError(
            f"unknown rotation {rotation!r}; choose one of {', '.join(POSSIBLE_ROTATIONS)} or none"
        )


def _principal_components(corr: np.ndarray, n_factors: int) -> np.ndarray:
    """Principal-component loadings V sqrt(lambda) of the leading ``n_factors`` eigenpairs."""
    values, vectors = np.linalg.eigh(corr)
    order = np.argsort(values)[::-1][:n_factors]
    return vectors[:, order] * np.sqrt(np.clip(values[order], 0.0, None))


def fit_efa(corr: pd.DataFrame, n_factors: int, method: str, rotation: str | None) -> EfaSolution:
    """Extract ``n_factors`` unrotated factors from the item correlation matrix, then rotate them.

    minres and ml use factor_analyzer on the correlation matrix; principal takes the leading principal
    components. Oblique rotations report phi = T'T (T the rotation matrix); orthogonal ones an identity
    phi. Rotating outside FactorAnalyzer keeps phi's rows in the same order as the loading columns.
    """
    validate_options(method, rotation)
    r = corr.to_numpy(dtype=float, copy=True)
    if method == "principal":
        unrotated = _principal_components(r, n_factors)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            extractor = FactorAnalyzer(n_factors=n_factors, rotation=None, method=method, is_corr_matrix=True)
            extractor.fit(r)
        unrotated = np.asarray(extractor.loadings_, dtype=float)
    if rotation is None or n_factors < 2:
        return EfaSolution(unrotated, np.eye(n_factors), None)
    rotator = Rotator(method=rotation)
    loadings = rotator.fit_transform(unrotated)
    if rotation in OBLIQUE_ROTATIONS and rotator.phi_ is not None:
        phi = np.asarray(rotator.phi_, dtype=float)
    else:
        phi = np.eye(n_factors)
    return EfaSolution(np.asarray(loadings, dtype=float), phi, np.asarray(rotator.rotation_))


def one_factor_loadings(corr: np.ndarray) -> np.ndarray:
    """Loadings of a one-factor minres model of a correlation matrix R.

    minres minimises the off-diagonal residuals, f(l) = 1/2 sum_{i != j} (r_ij - l_i l_j)^2, whose
    gradient is -2 sum_{j != i} (r_ij - l_i l_j) l_j; L-BFGS-B from the first principal component finds
    the same solution as psych's ``fa(fm = "minres")`` and factor_analyzer (to about 1e-6) in a few
    milliseconds, which matters because parallel analysis fits one per random data set.
    Communalities are bounded by 0.995 as psych bounds uniquenesses below by 0.005 (without it, one
    loading of a near-random matrix can grow without limit while the others shrink).
    """
    r = np.array(corr, dtype=float)
    values, vectors = np.linalg.eigh(r)
    start = vectors[:, -1] * np.sqrt(max(values[-1], 0.0))

    def objective(lam: np.ndarray) -> tuple[float, np.ndarray]:
        resid = r - np.outer(lam, lam)
        np.fill_diagonal(resid, 0.0)
        return 0.5 * float((resid**2).sum()), -2.0 * (resid @ lam)

    bound = np.sqrt(MAX_COMMUNALITY)
    result = optimize.minimize(objective, np.clip(start, -bound, bound), jac=True, method="L-BFGS-B",
                               bounds=[(-bound, bound)] * len(start), options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 1000})
    lam = result.x
    return lam if lam.sum() >= 0 else -lam


def reduced_eigenvalues(corr: np.ndarray) -> np.ndarray:
    """Eigenvalues (descending) of R with its diagonal replaced by one-factor minres communalities:
    the "factor" eigenvalues psych's ``fa.parallel(fa = "fa")`` compares."""
    r = np.array(corr, dtype=float)
    lam = one_factor_loadings(r)
    r[np.diag_indices_from(r)] = lam**2
    return np.sort(np.linalg.eigvalsh(r))[::-1]
