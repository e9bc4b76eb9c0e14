"""Exploratory factor extraction with factor_analyzer, rotated here so loadings and factor
correlations stay in the same order (factor_analyzer 0.5.1 re-sorts loadings but not ``phi_``)."""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from factor_analyzer import FactorAnalyzer
from factor_analyzer.rotator import OBLIQUE_ROTATIONS, POSSIBLE_ROTATIONS, Rotator

from vocapp.core.constants import FACTOR_METHODS

METHODS = FACTOR_METHODS


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
