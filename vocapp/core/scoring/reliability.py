"""Internal-consistency reliability per construct: Cronbach's alpha (raw and standardised) and
McDonald's omega total from a one-factor model, computed as R's psych does."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .efa import one_factor_loadings


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Raw alpha = k/(k-1) * (1 - tr(C) / 1'C1), C the pairwise-complete item covariance matrix (psych's
    ``alpha()$total$raw_alpha``): depends on each item's units when the scales differ."""
    cov = items.cov().to_numpy()
    k = cov.shape[0]
    total = np.nansum(cov)
    if k < 2 or not np.isfinite(cov).all() or total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - np.trace(cov) / total))


def standardised_alpha(corr: np.ndarray) -> float:
    """Standardised alpha = k r / (1 + (k-1) r), r the mean inter-item correlation (psych's std.alpha):
    alpha of the items rescaled to unit variance, so units do not matter."""
    r = np.asarray(corr, dtype=float)
    k = r.shape[0]
    if k < 2 or not np.isfinite(r).all():
        return float("nan")
    mean_r = (r.sum() - np.trace(r)) / (k * (k - 1))
    return float(k * mean_r / (1 + (k - 1) * mean_r))


def omega_total(corr: np.ndarray) -> float:
    """McDonald's omega total = 1 - sum(psi) / 1'R1 from a one-factor minres model of the construct's
    item correlation matrix R (loadings l, uniquenesses psi = 1 - l^2), as psych's
    ``omega(nfactors = 1)$omega.tot``. When the one-factor model reproduces R exactly this equals
    (sum l)^2 / ((sum l)^2 + sum psi); 1'R1 is the variance of the unit-weighted sum."""
    r = np.asarray(corr, dtype=float)
    if r.shape[0] < 2 or not np.isfinite(r).all():
        return float("nan")
    if r.shape[0] == 2:  # one factor is not identified from two items: alpha of the standardised pair
        return standardised_alpha(r)
    lam = one_factor_loadings(r)
    return float(1 - (1 - lam**2).sum() / r.sum())


def construct_reliability(data: pd.DataFrame, corr: pd.DataFrame) -> dict[str, float]:
    """alpha, standardised alpha and omega total of one construct's items (``data`` its columns,
    ``corr`` their pairwise-complete correlations)."""
    r = corr.to_numpy()
    return {"n_items": int(data.shape[1]), "alpha": cronbach_alpha(data),
            "alpha_standardised": standardised_alpha(r), "omega": omega_total(r)}
